// Messages the scenarios APPEND: a corpus read from a directory (bench/run.py writes the same
// one it seeds both servers with) and generated messages of a chosen size.
#pragma once

#include <random>
#include <string>
#include <vector>

namespace roost::bench {

class MessagePool {
 public:
  // Every *.eml file in `dir`, in name order; throws when there is none.
  static MessagePool from_dir(const std::string& dir);
  // `count` generated messages with sizes spread log-uniformly over [min_size, max_size].
  static MessagePool generated(size_t count, size_t min_size, size_t max_size, uint64_t seed);

  const std::string& pick(std::mt19937_64& rng) const;
  const std::string& at(size_t i) const { return messages_[i % messages_.size()]; }
  size_t size() const { return messages_.size(); }
  uint64_t total_bytes() const;

 private:
  std::vector<std::string> messages_;
};

// A well-formed RFC 5322 message of about `size` bytes (CRLF lines): a text part and, when the
// size asks for it, a base64 attachment. `id` makes Message-ID and Subject unique.
std::string make_message(size_t size, uint64_t id, std::mt19937_64& rng);

}  // namespace roost::bench
