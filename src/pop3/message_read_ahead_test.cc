#include "pop3/message_read_ahead.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace roost::pop3 {
namespace {

class StringFile final : public MappedFile {
 public:
  explicit StringFile(std::string data) : data_(std::move(data)) {}
  std::string_view bytes() const override { return data_; }

 private:
  std::string data_;
};

// Blobs by id, counting reads.
class FakeBlobs final : public store::BlobStore {
 public:
  Result<std::unique_ptr<store::BlobWriter>> begin() override {
    return make_error(ErrorKind::Internal, "read-only fake");
  }
  Result<std::shared_ptr<const MappedFile>> read(const std::string& id) override {
    ++reads;
    auto it = data.find(id);
    if (it == data.end()) return make_error(ErrorKind::NotFound, "no such blob", id);
    return std::shared_ptr<const MappedFile>(std::make_shared<StringFile>(it->second));
  }
  std::map<std::string, std::string> data;
  int reads = 0;
};

mailbox::Pop3Maildrop maildrop_of(FakeBlobs& blobs, const std::vector<size_t>& sizes) {
  mailbox::Pop3Maildrop drop;
  for (size_t i = 0; i < sizes.size(); ++i) {
    std::string id = "b" + std::to_string(i);
    blobs.data[id] = std::string(sizes[i], static_cast<char>('a' + i % 26));
    mailbox::Pop3Message m;
    m.uid = static_cast<store::Uid>(i + 1);
    m.blob = {id, sizes[i]};
    drop.messages.push_back(m);
  }
  return drop;
}

TEST(MessageReadAheadTest, ReadsTheNextSmallMessagesOnce) {
  FakeBlobs blobs;
  auto drop = maildrop_of(blobs, {10, 20, 30, 40});
  MessageReadAhead ahead;
  EXPECT_EQ(ahead.take(0), nullptr);
  auto first = ahead.read(blobs, drop, {}, 0);
  ASSERT_TRUE(first);
  EXPECT_EQ((*first)->bytes(), blobs.data["b0"]);
  EXPECT_EQ(ahead.cached(), 3u);
  EXPECT_EQ(blobs.reads, 4);
  for (size_t i = 1; i < 4; ++i) {
    auto cached = ahead.take(i);
    ASSERT_NE(cached, nullptr) << i;
    EXPECT_EQ(cached->bytes(), blobs.data["b" + std::to_string(i)]);
  }
  EXPECT_EQ(ahead.cached(), 0u);
  EXPECT_EQ(blobs.reads, 4);  // no second read
}

TEST(MessageReadAheadTest, SkipsDeletedAndStopsAtLargeMessages) {
  FakeBlobs blobs;
  auto drop = maildrop_of(blobs, {10, 20, 30, MessageReadAhead::kSmallBytes, 50});
  MessageReadAhead ahead;
  ASSERT_TRUE(ahead.read(blobs, drop, {false, true, false, false, false}, 0));
  EXPECT_EQ(ahead.take(1), nullptr);  // deleted: not read
  EXPECT_NE(ahead.take(2), nullptr);
  EXPECT_EQ(ahead.take(3), nullptr);  // large: streamed by RETR itself
  EXPECT_EQ(ahead.take(4), nullptr);  // after the large one: not read ahead
}

TEST(MessageReadAheadTest, BoundedByCountAndBytes) {
  FakeBlobs blobs;
  std::vector<size_t> sizes(MessageReadAhead::kMessages + 5, 100);
  auto drop = maildrop_of(blobs, sizes);
  MessageReadAhead ahead;
  ASSERT_TRUE(ahead.read(blobs, drop, {}, 0));
  EXPECT_EQ(ahead.cached(), MessageReadAhead::kMessages);

  FakeBlobs big_blobs;
  std::vector<size_t> big(20, MessageReadAhead::kSmallBytes - 1);
  auto big_drop = maildrop_of(big_blobs, big);
  MessageReadAhead bounded;
  ASSERT_TRUE(bounded.read(big_blobs, big_drop, {}, 0));
  EXPECT_EQ(bounded.cached(), MessageReadAhead::kBytes / (MessageReadAhead::kSmallBytes - 1));
}

TEST(MessageReadAheadTest, TakingForgetsEarlierMessagesAndMissingBlobsAreLeftOut) {
  FakeBlobs blobs;
  auto drop = maildrop_of(blobs, {10, 20, 30, 40});
  blobs.data.erase("b2");
  MessageReadAhead ahead;
  ASSERT_TRUE(ahead.read(blobs, drop, {}, 0));
  EXPECT_EQ(ahead.cached(), 1u);  // b1 only: the read of b2 failed, so read-ahead stopped
  EXPECT_EQ(ahead.take(2), nullptr);
  EXPECT_EQ(ahead.cached(), 0u);  // b1 was before 2: forgotten
  auto missing = ahead.read(blobs, drop, {}, 2);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::NotFound);
}

}  // namespace
}  // namespace roost::pop3
