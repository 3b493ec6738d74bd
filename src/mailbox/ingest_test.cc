#include "mailbox/ingest.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "mailbox/store_test_fixture.h"

namespace roost::mailbox {
namespace {

constexpr std::string_view kMessage =
    "From: a@example.com\r\nTo: b@example.com\r\nSubject: hi\r\n\r\nHello\r\n";

std::string message_n(int n) {
  return "From: a@example.com\r\nSubject: m" + std::to_string(n) + "\r\n\r\nBody " +
         std::to_string(n) + "\r\n";
}

class IngestTest : public StoreTest {
 protected:
  Ingest make(IngestOptions options = {}) { return Ingest(*store_, options, clock_); }
  Destination to_inbox() { return {inbox_, "test"}; }

  std::vector<store::MessageEntry> entries() {
    auto listed = store_->list_messages(inbox_, store::all_uids());
    EXPECT_TRUE(listed);
    return listed ? *listed : std::vector<store::MessageEntry>{};
  }
  std::string bytes_of(const std::string& blob_id) {
    auto mapped = store_->blobs().read(blob_id);
    EXPECT_TRUE(mapped);
    return mapped ? std::string((*mapped)->bytes()) : std::string();
  }

  FakeClock clock_{1700000000};
};

TEST_F(IngestTest, IngestStoresBytesFlagsAndDate) {
  Ingest ingest = make();
  Incoming in{std::string(kMessage), {store::kSeen, {"$Label1"}}, 1600000000, 120};
  auto delivered = ingest.ingest(to_inbox(), in);
  ASSERT_TRUE(delivered) << delivered.error().describe();
  EXPECT_EQ(delivered->uid, 1u);
  EXPECT_EQ(delivered->blob.id, store::content_id(kMessage));
  EXPECT_EQ(delivered->blob.size, kMessage.size());

  auto list = entries();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].uid, 1u);
  EXPECT_EQ(list[0].flags.system, store::kSeen);
  EXPECT_EQ(list[0].flags.keywords, std::vector<std::string>{"$Label1"});
  EXPECT_EQ(list[0].internal_date, 1600000000);
  EXPECT_EQ(list[0].internal_date_tz, 120);
  EXPECT_EQ(bytes_of(list[0].blob.id), kMessage);

  auto parsed = store_->parsed_of(list[0].blob.id);
  ASSERT_TRUE(parsed);
  auto message = mime::deserialize(*parsed);
  ASSERT_TRUE(message);
  EXPECT_EQ(message->subject, "hi");
}

TEST_F(IngestTest, MissingInternalDateIsNow) {
  Ingest ingest = make();
  ASSERT_TRUE(ingest.ingest(to_inbox(), {std::string(kMessage), {}, std::nullopt, 0}));
  EXPECT_EQ(entries().at(0).internal_date, 1700000000);
}

TEST_F(IngestTest, StreamingWriterInChunks) {
  Ingest ingest = make();
  auto writer = ingest.begin(to_inbox(), kMessage.size());
  ASSERT_TRUE(writer) << writer.error().describe();
  for (char c : kMessage) ASSERT_TRUE((*writer)->write(std::string_view(&c, 1)));
  EXPECT_EQ((*writer)->size(), kMessage.size());
  auto delivered = (*writer)->finish({store::kDraft, {}}, 1500000000);
  ASSERT_TRUE(delivered) << delivered.error().describe();
  EXPECT_EQ(bytes_of(delivered->blob.id), kMessage);
  EXPECT_EQ(entries().at(0).flags.system, store::kDraft);
  // A second finish is refused rather than appending twice.
  EXPECT_FALSE((*writer)->finish({}, 1500000000));
  EXPECT_EQ(entries().size(), 1u);
}

TEST_F(IngestTest, TooBigBySizeHintAndByWrites) {
  IngestOptions options;
  options.max_message_size = 10;
  Ingest ingest = make(options);
  auto early = ingest.begin(to_inbox(), 11);
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().kind, ErrorKind::TooBig);

  auto writer = ingest.begin(to_inbox(), 0);
  ASSERT_TRUE(writer);
  ASSERT_TRUE((*writer)->write("0123456789"));
  auto over = (*writer)->write("x");
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().kind, ErrorKind::TooBig);
  EXPECT_FALSE((*writer)->finish({}, 0));
  EXPECT_TRUE(entries().empty());
}

TEST_F(IngestTest, OverQuota) {
  IngestOptions options;
  options.quota_bytes = kMessage.size() + 10;
  Ingest ingest = make(options);
  ASSERT_TRUE(ingest.ingest(to_inbox(), {std::string(kMessage), {}, 0, 0}));
  auto second = ingest.ingest(to_inbox(), {message_n(2), {}, 0, 0});
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().kind, ErrorKind::OverQuota);

  IngestOptions by_count;
  by_count.quota_messages = 1;
  auto batch = make(by_count).ingest_batch(to_inbox(), {{message_n(3), {}, 0, 0}});
  ASSERT_FALSE(batch);
  EXPECT_EQ(batch.error().kind, ErrorKind::OverQuota);
  EXPECT_EQ(entries().size(), 1u);
}

TEST_F(IngestTest, UnknownMailbox) {
  Ingest ingest = make();
  auto r = ingest.ingest({inbox_ + 1000, "test"}, {std::string(kMessage), {}, 0, 0});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::NotFound);
}

TEST_F(IngestTest, BatchStoresInOrder) {
  Ingest ingest = make();
  std::vector<Incoming> batch;
  for (int i = 0; i < 5; ++i) batch.push_back({message_n(i), {}, 1000 + i, 0});
  auto result = ingest.ingest_batch(to_inbox(), batch);
  ASSERT_TRUE(result) << result.error().describe();
  ASSERT_EQ(result->items.size(), 5u);
  auto list = entries();
  ASSERT_EQ(list.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(result->items[i].outcome, BatchItem::Outcome::Stored);
    EXPECT_EQ(result->items[i].uid, list[i].uid);
    EXPECT_EQ(list[i].internal_date, 1000 + i);
    EXPECT_EQ(bytes_of(list[i].blob.id), message_n(i));
  }
  EXPECT_EQ(result->uidvalidity, store_->get_mailbox(inbox_)->uidvalidity);
}

TEST_F(IngestTest, BatchSkipsDuplicatesOnRerunAndWithinBatch) {
  Ingest ingest = make();
  BatchOptions dedupe{true};
  std::vector<Incoming> batch = {
      {message_n(1), {}, 0, 0}, {message_n(2), {}, 0, 0}, {message_n(1), {}, 0, 0}};
  auto first = ingest.ingest_batch(to_inbox(), batch, dedupe);
  ASSERT_TRUE(first) << first.error().describe();
  EXPECT_EQ(first->items[0].outcome, BatchItem::Outcome::Stored);
  EXPECT_EQ(first->items[1].outcome, BatchItem::Outcome::Stored);
  EXPECT_EQ(first->items[2].outcome, BatchItem::Outcome::Duplicate);
  EXPECT_EQ(entries().size(), 2u);

  batch.push_back({message_n(3), {}, 0, 0});
  auto again = ingest.ingest_batch(to_inbox(), batch, dedupe);
  ASSERT_TRUE(again) << again.error().describe();
  EXPECT_EQ(again->items[0].outcome, BatchItem::Outcome::Duplicate);
  EXPECT_EQ(again->items[0].uid, first->items[0].uid);
  EXPECT_EQ(again->items[1].outcome, BatchItem::Outcome::Duplicate);
  EXPECT_EQ(again->items[3].outcome, BatchItem::Outcome::Stored);
  EXPECT_EQ(entries().size(), 3u);

  // Without the option the same bytes are stored again (APPEND semantics).
  ASSERT_TRUE(ingest.ingest_batch(to_inbox(), {{message_n(1), {}, 0, 0}}));
  EXPECT_EQ(entries().size(), 4u);
}

TEST_F(IngestTest, BatchRejectsOversizedMessageOnly) {
  IngestOptions options;
  options.max_message_size = 100;
  Ingest ingest = make(options);
  auto result = ingest.ingest_batch(to_inbox(),
                                    {{message_n(1), {}, 0, 0}, {std::string(200, 'x'), {}, 0, 0}});
  ASSERT_TRUE(result) << result.error().describe();
  EXPECT_EQ(result->items[0].outcome, BatchItem::Outcome::Stored);
  EXPECT_EQ(result->items[1].outcome, BatchItem::Outcome::Rejected);
  ASSERT_TRUE(result->items[1].why);
  EXPECT_EQ(result->items[1].why->kind, ErrorKind::TooBig);
  EXPECT_EQ(entries().size(), 1u);
}

TEST_F(IngestTest, EmptyBatchIsFine) {
  auto result = make().ingest_batch(to_inbox(), {});
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->items.empty());
}

TEST_F(IngestTest, WriterNextAndFinishAllCommitTogether) {
  Ingest ingest = make();
  auto writer = ingest.begin(to_inbox());
  ASSERT_TRUE(writer) << writer.error().describe();
  ASSERT_TRUE((*writer)->write(message_n(1)));
  ASSERT_TRUE((*writer)->next({store::kSeen, {}}, 1600000000, 0));
  EXPECT_TRUE(entries().empty());  // nothing visible before finish_all
  ASSERT_TRUE((*writer)->write(message_n(2)));
  auto delivered = (*writer)->finish_all({}, std::nullopt);
  ASSERT_TRUE(delivered) << delivered.error().describe();
  ASSERT_EQ(delivered->size(), 2u);
  EXPECT_EQ((*delivered)[0].uid, 1u);
  EXPECT_EQ((*delivered)[1].uid, 2u);
  auto list = entries();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].flags.system, store::kSeen);
  EXPECT_EQ(bytes_of(list[1].blob.id), message_n(2));
}

TEST_F(IngestTest, WriterDroppedAfterNextStoresNothing) {
  IngestOptions options;
  options.max_message_size = 100;
  Ingest ingest = make(options);
  auto writer = ingest.begin(to_inbox());
  ASSERT_TRUE(writer);
  ASSERT_TRUE((*writer)->write(message_n(1)));
  ASSERT_TRUE((*writer)->next({}, std::nullopt, 0));
  EXPECT_FALSE((*writer)->write(std::string(200, 'x')));  // TooBig: the whole batch fails
  EXPECT_FALSE((*writer)->finish_all({}, std::nullopt));
  writer->reset();
  EXPECT_TRUE(entries().empty());
}

TEST_F(IngestTest, NextChecksTheSizeHint) {
  IngestOptions options;
  options.max_message_size = 100;
  Ingest ingest = make(options);
  auto writer = ingest.begin(to_inbox());
  ASSERT_TRUE(writer);
  ASSERT_TRUE((*writer)->write(message_n(1)));
  auto st = (*writer)->next({}, std::nullopt, 0, 200);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().kind, ErrorKind::TooBig);
  EXPECT_TRUE(entries().empty());
}

// A /proc/self/status field ("VmHWM", "VmRSS"...) in bytes; 0 when absent.
uint64_t status_bytes(std::string_view field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.size() > field.size() && line.compare(0, field.size(), field) == 0 &&
        line[field.size()] == ':') {
      return std::stoull(line.substr(field.size() + 1)) * 1024;
    }
  }
  return 0;
}

// The parse at save time reads the stored file through a mapping; the pages it has read through
// are dropped as it goes, so even the peak RSS stays far below the message size.
TEST_F(IngestTest, LargeMessageIsNeverResidentWhole) {
  constexpr size_t kChunk = 1 << 20, kChunks = 96;
  std::string line(1022, 'x');
  line += "\r\n";
  std::string chunk;
  while (chunk.size() < kChunk) chunk += line;
  IngestOptions options;
  options.max_message_size = 0;
  Ingest ingest = make(options);
  auto writer = ingest.begin(to_inbox());
  ASSERT_TRUE(writer);
  ASSERT_TRUE((*writer)->write("Subject: big\r\n\r\n"));
  {
    std::ofstream reset("/proc/self/clear_refs");  // "5" resets VmHWM to VmRSS (Linux 4.0+)
    reset << "5";
    reset.flush();
    if (!reset) GTEST_SKIP() << "cannot reset the peak RSS here";
  }
  uint64_t base = status_bytes("VmHWM");
  for (size_t i = 0; i < kChunks; ++i) ASSERT_TRUE((*writer)->write(chunk));
  auto delivered = (*writer)->finish({}, std::nullopt);
  ASSERT_TRUE(delivered) << delivered.error().describe();
  uint64_t peak = status_bytes("VmHWM");
  EXPECT_LT(peak - base, (kChunk * kChunks) / 2) << "peak RSS rose by " << (peak - base) / kChunk
                                                 << " MiB for a " << kChunks << " MiB message";
  auto parsed = store_->parsed_of(delivered->blob.id);
  ASSERT_TRUE(parsed);
  auto message = mime::deserialize(*parsed);
  ASSERT_TRUE(message);
  EXPECT_EQ(message->parts[0].body_lines, kChunks * (chunk.size() / line.size()));
}

TEST(BlobIdOf, KnownDigest) {
  EXPECT_EQ(store::content_id("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace roost::mailbox
