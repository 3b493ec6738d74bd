#include "base/log.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

namespace roost::log {
namespace {

// Points fd 2 at a temporary file for the test's lifetime and reads back what reached it.
class StderrCapture {
 public:
  StderrCapture() {
    char name[] = "/tmp/roost-log-test-XXXXXX";
    fd_ = ::mkstemp(name);
    ::unlink(name);
    saved_ = ::dup(STDERR_FILENO);
    ::dup2(fd_, STDERR_FILENO);
  }
  ~StderrCapture() {
    ::dup2(saved_, STDERR_FILENO);
    ::close(saved_);
    ::close(fd_);
  }
  std::string text() const {
    std::string out;
    char buf[4096];
    for (off_t at = 0;;) {
      ssize_t n = ::pread(fd_, buf, sizeof buf, at);
      if (n <= 0) return out;
      out.append(buf, static_cast<size_t>(n));
      at += n;
    }
  }

 private:
  int fd_ = -1;
  int saved_ = -1;
};

TEST(LogTest, InfoLinesAreBufferedThenWrittenInOrder) {
  flush();  // nothing of earlier tests left in the buffer
  StderrCapture capture;
  for (int i = 0; i < 100; ++i) info("test.line", {{"n", std::to_string(i)}});
  flush();
  std::string text = capture.text();
  size_t at = 0;
  for (int i = 0; i < 100; ++i) {
    at = text.find("event=test.line n=" + std::to_string(i) + "\n", at);
    ASSERT_NE(at, std::string::npos) << i;
  }
}

TEST(LogTest, ErrorsAreWrittenAtOnceWithTheLinesBeforeThem) {
  flush();
  StderrCapture capture;
  info("test.before");
  error("test.failure", {{"why", "a b"}});
  std::string text = capture.text();  // no flush(): warn and error go out immediately
  size_t before = text.find("info event=test.before\n");
  size_t failure = text.find("error event=test.failure why=\"a b\"\n");
  ASSERT_NE(before, std::string::npos) << text;
  ASSERT_NE(failure, std::string::npos) << text;
  EXPECT_LT(before, failure);
}

TEST(LogTest, TheFlusherWritesWithoutBeingAsked) {
  flush();
  StderrCapture capture;
  info("test.later");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (capture.text().find("event=test.later") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_NE(capture.text().find("event=test.later"), std::string::npos);
}

}  // namespace
}  // namespace roost::log
