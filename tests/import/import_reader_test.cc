// Unit tests of the pure parts of the import readers (src/cli/import_*.cc).
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <utime.h>

#include <filesystem>
#include <fstream>

#include "cli/import_source.h"

namespace roost::cli {
namespace {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "roost-import-XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }
  std::string write(const std::string& name, std::string_view bytes, time_t mtime = 0) const {
    std::string p = path_ + "/" + name;
    std::filesystem::create_directories(std::filesystem::path(p).parent_path());
    std::ofstream(p, std::ios::binary) << bytes;
    if (mtime != 0) {
      struct utimbuf times {
        mtime, mtime
      };
      utime(p.c_str(), &times);
    }
    return p;
  }

 private:
  std::string path_;
};

std::vector<std::string> loaded(const ImportPlan& plan) {
  std::vector<std::string> out;
  for (const auto& m : plan.folders.at(0).messages) out.push_back(load_mbox_message(m.raw));
  return out;
}

TEST(ToCrlf, OnlyBareLf) {
  EXPECT_EQ(to_crlf("a\nb\r\nc\rd\n"), "a\r\nb\r\nc\rd\r\n");
  EXPECT_EQ(to_crlf("\n"), "\r\n");
  EXPECT_EQ(to_crlf("no newline"), "no newline");
}

TEST(FromLineDate, Formats) {
  int64_t t = 0;
  int32_t tz = 0;
  ASSERT_TRUE(parse_from_line_date("MAILER-DAEMON Thu Jan  1 00:00:10 1970", t, tz));
  EXPECT_EQ(t, 10);
  EXPECT_EQ(tz, 0);
  ASSERT_TRUE(parse_from_line_date("a@b.c Sat Jan  3 01:05:34 1996", t, tz));
  EXPECT_EQ(t, 820631134);
  ASSERT_TRUE(parse_from_line_date("a@b.c Sat, 3 Jan 1996 02:05:34 +0100", t, tz));
  EXPECT_EQ(t, 820631134);
  EXPECT_EQ(tz, 60);
  ASSERT_TRUE(parse_from_line_date("Sat Jan  3 01:05:34 1996", t, tz));
  EXPECT_EQ(t, 820631134);
  EXPECT_FALSE(parse_from_line_date("here we go again", t, tz));
  EXPECT_FALSE(parse_from_line_date("a@b Jan 3 1996", t, tz));
}

TEST(ScanMbox, BoundariesEscapesAndLineEndings) {
  TempDir dir;
  std::string mbox =
      "From a@x Sat Jan  3 01:05:34 1996\n"
      "Subject: one\n\n>From the start\n>>From deeper\nFrom here, unescaped mboxo line\n\n"
      "From b@x Sun Jan  4 01:05:34 1996\r\n"
      "Subject: two\r\n\r\nbody\r\n\r\n"
      "From c@x Mon Jan  5 01:05:34 1996\n"
      "Subject: three\n\nno final newline";
  std::string file = dir.write("box", mbox);
  auto plan = scan_mbox(Env::real(), file, "INBOX");
  ASSERT_TRUE(plan) << plan.error().describe();
  ASSERT_EQ(plan->folders.size(), 1u);
  EXPECT_EQ(plan->folders[0].mailbox, "INBOX");
  auto messages = loaded(*plan);
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[0],
            "Subject: one\r\n\r\nFrom the start\r\n>From deeper\r\n"
            "From here, unescaped mboxo line\r\n");
  EXPECT_EQ(messages[1], "Subject: two\r\n\r\nbody\r\n");
  EXPECT_EQ(messages[2], "Subject: three\r\n\r\nno final newline");
  EXPECT_EQ(plan->folders[0].messages[1].internal_date, 820717534);
  EXPECT_TRUE(plan->folders[0].problems.empty());
}

TEST(ScanMbox, RejectsNonMbox) {
  TempDir dir;
  auto plan = scan_mbox(Env::real(), dir.write("x", "Subject: hi\n\nbody\n"), "INBOX");
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().kind, ErrorKind::Syntax);
  auto empty = scan_mbox(Env::real(), dir.write("empty", ""), "INBOX");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->folders.at(0).messages.empty());
}

TEST(ScanMaildir, FoldersFlagsKeywordsAndDates) {
  TempDir dir;
  const std::string& root = dir.path();
  dir.write("cur/1000.A.host:2,FS", "m1\n", 1000);
  dir.write("new/2000.B.host", "m2\n", 2000);
  dir.write("new/3000.C.host:2,S", "m3\n", 3000);
  dir.write("cur/500.D.host:2,RTDab", "m4\n", 500);
  dir.write("dovecot-keywords", "0 $Label1\n1 Urgent\n");
  dir.write(".Work.Projects/cur/1.E:2,", "m5\n", 1);
  dir.write(".&AMk-t&AOk-/new/2.F", "m6\n", 2);
  std::filesystem::create_directories(root + "/tmp");

  auto plan = scan_maildir(Env::real(), root);
  ASSERT_TRUE(plan) << plan.error().describe();
  ASSERT_EQ(plan->folders.size(), 3u);
  const SourceFolder& inbox = plan->folders[0];
  EXPECT_EQ(inbox.mailbox, "INBOX");
  ASSERT_EQ(inbox.messages.size(), 4u);
  // Delivery order by the leading timestamp of the unique name.
  EXPECT_TRUE(inbox.messages[0].path.ends_with("500.D.host:2,RTDab"));
  EXPECT_EQ(inbox.messages[0].flags.system,
            uint32_t{store::kAnswered | store::kDeleted | store::kDraft});
  EXPECT_EQ(inbox.messages[0].flags.keywords, (std::vector<std::string>{"$Label1", "Urgent"}));
  EXPECT_EQ(inbox.messages[0].internal_date, 500);
  EXPECT_EQ(inbox.messages[1].flags.system, uint32_t{store::kFlagged | store::kSeen});
  EXPECT_EQ(inbox.messages[2].flags.system, 0u);
  EXPECT_EQ(inbox.messages[3].flags.system, 0u);  // new/ is unseen whatever the name says
  EXPECT_EQ(inbox.messages[3].size, 3u);

  std::vector<std::string> names = {plan->folders[1].mailbox, plan->folders[2].mailbox};
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"Work/Projects", "\xC3\x89t\xC3\xA9"}));
}

TEST(ScanMaildir, NestedLayoutFallback) {
  TempDir dir;
  dir.write("Archive/2020/cur/1.A:2,S", "x\n", 1);
  dir.write("Lists/new/2.B", "y\n", 2);
  auto plan = scan_maildir(Env::real(), dir.path());
  ASSERT_TRUE(plan) << plan.error().describe();
  ASSERT_EQ(plan->folders.size(), 2u);
  EXPECT_EQ(plan->folders[0].mailbox, "Archive/2020");
  EXPECT_EQ(plan->folders[1].mailbox, "Lists");
  EXPECT_EQ(plan->folders[0].messages.at(0).flags.system, uint32_t{store::kSeen});

  auto missing = scan_maildir(Env::real(), dir.path() + "/nope");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::NotFound);
}

}  // namespace
}  // namespace roost::cli
