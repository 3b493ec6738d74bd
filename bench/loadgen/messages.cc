#include "messages.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace roost::bench {
namespace {

constexpr const char* kWords[] = {"meeting", "report",   "budget",  "project", "review", "schedule",
                                  "invoice", "travel",   "update",  "release", "draft",  "team",
                                  "quarter", "customer", "support", "design",  "server", "mailbox",
                                  "weekend", "lunch",    "status",  "plan",    "notes",  "agenda"};

std::string words(size_t bytes, std::mt19937_64& rng) {
  std::string out;
  size_t column = 0;
  while (out.size() < bytes) {
    const char* w = kWords[rng() % std::size(kWords)];
    out += w;
    column += std::strlen(w);
    if (column > 70) {
      out += "\r\n";
      column = 0;
    } else {
      out += ' ';
      ++column;
    }
  }
  return out + "\r\n";
}

std::string base64_block(size_t bytes, std::mt19937_64& rng) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve(bytes + bytes / 76 * 2 + 2);
  while (out.size() < bytes) {
    for (int i = 0; i < 76 && out.size() < bytes; ++i) out += kAlphabet[rng() % 64];
    out += "\r\n";
  }
  return out;
}

}  // namespace

std::string make_message(size_t size, uint64_t id, std::mt19937_64& rng) {
  std::ostringstream m;
  m << "From: Sender " << id % 97 << " <sender" << id % 97 << "@example.org>\r\n"
    << "To: Bench <bench@example.net>\r\n"
    << "Subject: " << kWords[id % std::size(kWords)] << " " << id << "\r\n"
    << "Date: Mon, 6 May 2024 10:" << (10 + id % 50) << ":00 +0000\r\n"
    << "Message-ID: <bench." << id << "." << rng() % 1000000 << "@example.org>\r\n"
    << "MIME-Version: 1.0\r\n";
  std::string head = m.str();
  if (size < 4096) {
    return head + "Content-Type: text/plain; charset=us-ascii\r\n\r\n" +
           words(size > head.size() + 60 ? size - head.size() - 60 : 40, rng);
  }
  std::string boundary = "=_bench_" + std::to_string(id);
  std::string text = words(1500, rng);
  std::string out =
      head + "Content-Type: multipart/mixed; boundary=\"" + boundary + "\"\r\n\r\n--" + boundary +
      "\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n" + text + "--" + boundary +
      "\r\nContent-Type: application/octet-stream; name=\"data.bin\"\r\n"
      "Content-Transfer-Encoding: base64\r\n"
      "Content-Disposition: attachment; filename=\"data.bin\"\r\n\r\n";
  std::string tail = "--" + boundary + "--\r\n";
  size_t used = out.size() + tail.size();
  out += base64_block(size > used ? size - used : 76, rng);
  return out + tail;
}

MessagePool MessagePool::from_dir(const std::string& dir) {
  std::vector<std::filesystem::path> paths;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".eml") {
      paths.push_back(entry.path());
    }
  }
  std::sort(paths.begin(), paths.end());
  MessagePool pool;
  for (const auto& p : paths) {
    std::ifstream f(p, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    if (!bytes.empty()) pool.messages_.push_back(std::move(bytes));
  }
  if (pool.messages_.empty()) throw std::runtime_error("no *.eml file in " + dir);
  return pool;
}

MessagePool MessagePool::generated(size_t count, size_t min_size, size_t max_size, uint64_t seed) {
  std::mt19937_64 rng(seed);
  MessagePool pool;
  double lo = std::log(static_cast<double>(std::max<size_t>(min_size, 64)));
  double hi = std::log(static_cast<double>(std::max(max_size, min_size)));
  for (size_t i = 0; i < count; ++i) {
    double f = count > 1 ? static_cast<double>(i) / (count - 1) : 0.0;
    auto size = static_cast<size_t>(std::exp(lo + f * (hi - lo)));
    pool.messages_.push_back(make_message(size, 900000 + i, rng));
  }
  return pool;
}

const std::string& MessagePool::pick(std::mt19937_64& rng) const {
  return messages_[rng() % messages_.size()];
}

uint64_t MessagePool::total_bytes() const {
  uint64_t n = 0;
  for (const auto& m : messages_) n += m.size();
  return n;
}

}  // namespace roost::bench
