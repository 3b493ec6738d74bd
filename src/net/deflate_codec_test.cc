// Inflater/Deflater against zlib used directly (the peer's side), so neither checks only itself.
#include "net/deflate_codec.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

#include "net/test_client.h"

namespace roost::net {
namespace {

// The peer: zlib's raw DEFLATE at its defaults (32 KiB window), as RFC 4978 clients use it.
using Peer = testing::DeflatePeer;

// Everything the inflater yields for what was fed, in pieces of at most `piece` bytes.
std::string drain(Inflater& inflater, size_t piece = 16 * 1024) {
  std::string all;
  std::string buf(piece, '\0');
  while (true) {
    auto n = inflater.inflate(buf.data(), buf.size());
    EXPECT_TRUE(n) << n.error().text;
    if (!n || *n == 0) return all;
    EXPECT_LE(*n, piece);
    all.append(buf, 0, *n);
  }
}

std::string deflate_all(Deflater& deflater, std::string_view text) {
  EXPECT_TRUE(deflater.start(text));
  std::string out;
  while (true) {
    auto piece = deflater.next();
    EXPECT_TRUE(piece);
    if (!piece || piece->empty()) return out;
    EXPECT_LE(piece->size(), Deflater::kPiece);
    out.append(*piece);
  }
}

std::string sample(size_t size) {
  std::string text;
  for (size_t i = 0; text.size() < size; ++i) {
    text +=
        "* " + std::to_string(i) + " FETCH (UID " + std::to_string(i * 7) + " FLAGS (\\Seen))\r\n";
  }
  text.resize(size);
  return text;
}

TEST(DeflateCodec, PeerInflatesWhatTheDeflaterSendsAcrossReleases) {
  Deflater deflater;
  Peer peer;
  std::string plain;
  for (size_t size : {1u, 100u, 70000u, 3u << 20}) {
    std::string text = sample(size);
    std::string wire = deflate_all(deflater, text);
    // RFC 4978 §4: each flush ends with a sync flush, so the peer gets every byte now.
    ASSERT_TRUE(peer.decompress(wire, plain));
    EXPECT_EQ(plain, text) << size;
    plain.clear();
    deflater.release();  // a fresh compressor continues the same stream
    EXPECT_EQ(deflater.memory(), 0u);
  }
  EXPECT_GT(sample(3u << 20).size() / deflate_all(deflater, sample(3u << 20)).size(), 5u);
}

TEST(DeflateCodec, InflaterDecodesThePeerInBoundedPiecesWholeAndByteByByte) {
  Peer peer;
  std::string text = sample(200000);
  std::string wire = peer.compress(text.substr(0, 1000));  // two statements: order matters
  wire += peer.compress(text.substr(1000));
  Inflater whole;
  whole.feed(wire);
  EXPECT_EQ(drain(whole, 1000), text);
  Inflater bytes;
  std::string got;
  for (char c : wire) {
    bytes.feed(std::string_view(&c, 1));
    got += drain(bytes, 777);
  }
  EXPECT_EQ(got, text);
}

TEST(DeflateCodec, BombIsHandedOutPieceByPieceWithBoundedMemory) {
  Peer peer;
  std::string zeros(1 << 20, 'x');
  Inflater inflater;
  size_t total = 0;
  size_t peak = 0;
  std::string buf(16 * 1024, '\0');
  for (int i = 0; i < 256; ++i) {  // 256 MiB of plain text from ~256 KiB on the wire
    inflater.feed(peer.compress(zeros, i == 255 ? Z_SYNC_FLUSH : Z_NO_FLUSH));
    while (true) {
      auto n = inflater.inflate(buf.data(), buf.size());
      ASSERT_TRUE(n);
      if (*n == 0) break;
      ASSERT_LE(*n, buf.size());
      total += *n;
      peak = std::max(peak, inflater.memory());
    }
  }
  EXPECT_EQ(total, 256u << 20);
  EXPECT_LT(peak, 64u * 1024);  // zlib state + 32 KiB window + queued input, never the output
}

TEST(DeflateCodec, CorruptInputIsAnErrorAndStaysOne) {
  Inflater inflater;
  inflater.feed("\xff\xff\xff\xff garbage");
  char buf[64];
  auto n = inflater.inflate(buf, sizeof buf);
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().kind, ErrorKind::Syntax);
  Peer peer;
  inflater.feed(peer.compress("fine\r\n"));
  EXPECT_FALSE(inflater.inflate(buf, sizeof buf));
}

TEST(DeflateCodec, DataAfterTheFinalBlockIsAnError) {
  Peer peer;
  Inflater inflater;
  inflater.feed(peer.compress("bye\r\n", Z_FINISH));
  inflater.feed("more");
  char buf[64];
  auto n = inflater.inflate(buf, sizeof buf);
  ASSERT_TRUE(n);
  EXPECT_EQ(std::string(buf, *n), "bye\r\n");
  n = inflater.inflate(buf, sizeof buf);
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().kind, ErrorKind::Syntax);
}

TEST(DeflateCodec, HibernationKeepsOnlyTheUsedWindowAndBackReferencesStillWork) {
  Peer peer;
  Inflater inflater;
  std::string login = "a LOGIN alice secret\r\nb SELECT INBOX\r\nc IDLE\r\n";
  inflater.feed(peer.compress(login));
  EXPECT_EQ(drain(inflater), login);
  size_t active = inflater.memory();
  EXPECT_GT(active, 32u * 1024);  // zlib state + window while data flows
  inflater.hibernate();
  EXPECT_TRUE(inflater.hibernating());
  EXPECT_LE(inflater.memory(), login.size() + 64);  // only the bytes inflated so far
  // The peer's next command refers back into what came before hibernation.
  std::string again = "DONE\r\nd SELECT INBOX\r\ne LOGIN alice secret\r\n";
  inflater.feed(peer.compress(again));
  EXPECT_EQ(drain(inflater), again);
  inflater.hibernate();
  // A long session keeps at most the 32 KiB window while idle.
  std::string big = sample(500000);
  inflater.feed(peer.compress(big));
  EXPECT_EQ(drain(inflater), big);
  inflater.hibernate();
  EXPECT_TRUE(inflater.hibernating());
  EXPECT_LE(inflater.memory(), 32u * 1024 + 64);
  inflater.feed(peer.compress(big.substr(1000, 20000)));
  EXPECT_EQ(drain(inflater), big.substr(1000, 20000));
}

TEST(DeflateCodec, NoHibernationInsideABlock) {
  Peer peer;
  Inflater inflater;
  std::string text = sample(5000);
  std::string wire = peer.compress(text, Z_NO_FLUSH);
  wire += peer.compress("", Z_SYNC_FLUSH);
  inflater.feed(wire.substr(0, wire.size() / 2));
  std::string got = drain(inflater);
  inflater.hibernate();  // mid-block: the state must stay
  EXPECT_FALSE(inflater.hibernating());
  inflater.feed(wire.substr(wire.size() / 2));
  got += drain(inflater);
  EXPECT_EQ(got, text);
}

}  // namespace
}  // namespace roost::net
