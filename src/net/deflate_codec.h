// Raw DEFLATE (RFC 1951, zlib windowBits -15) for one connection in both directions, as IMAP
// COMPRESS=DEFLATE (RFC 4978) needs it: an Inflater for what the peer sends and a Deflater for
// what we send. Pure (no I/O), not thread-safe (one of each per connection).
//
// Memory, counted exactly through zlib's allocator hooks (memory()):
//   Inflater: ~7 KiB of zlib state + a 32 KiB window while data flows (the peer may use any
//     window up to 32 KiB, RFC 1951 §3.2.5), plus the compressed bytes not yet inflated (at most
//     what was fed: one socket read). hibernate(), called while waiting for the peer, frees all of
//     it and keeps only the window bytes a later back-reference may still reach (min(32 KiB,
//     bytes inflated so far): a few hundred bytes for a session that only logged in and IDLEs).
//   Deflater: ~6 KiB of state + 64 KiB (windowBits 13, memLevel 6) + one 16 KiB output piece,
//     only while a flush runs; release() frees it (every flush ends with a sync flush at a byte
//     boundary, so a fresh compressor can continue the same stream).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"

struct z_stream_s;

namespace roost::net {

// Counts what zlib allocates for one stream (zalloc/zfree hooks).
struct ZlibMemory {
  size_t bytes = 0;
};

class Inflater {
 public:
  Inflater();
  ~Inflater();
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;

  // Queues compressed bytes (copied).
  void feed(std::string_view compressed);
  // Inflates into out[0, capacity): the number of bytes written, at most `capacity` however much
  // the input expands (a decompression bomb yields it piece by piece). 0 means every queued byte
  // is used up: feed more. Syntax when the input is not DEFLATE data or continues after the final
  // block; the stream is unusable after that.
  Result<size_t> inflate(char* out, size_t capacity);
  // True while queued input or undelivered output remains (inflate() would not return 0).
  bool has_pending() const;
  // Frees zlib's state when the stream is idle at a byte-aligned block boundary (the peer ended
  // its last write with a sync or full flush); otherwise keeps it. Output is unaffected.
  void hibernate();
  bool hibernating() const { return stream_ == nullptr && started_; }

  size_t memory() const;  // bytes held now: zlib state, saved window, queued input

 private:
  Status resume();

  std::unique_ptr<z_stream_s> stream_;
  ZlibMemory zlib_;
  std::string input_;  // queued compressed bytes
  size_t input_pos_ = 0;
  std::string window_;  // the dictionary kept while hibernating
  bool started_ = false;
  bool output_pending_ = false;  // the last call filled `out`: more may come without input
  bool ended_ = false;           // the peer sent the final block
  bool broken_ = false;
};

class Deflater {
 public:
  static constexpr size_t kPiece = 16 * 1024;  // compressed bytes handed out at once

  Deflater();
  ~Deflater();
  Deflater(const Deflater&) = delete;
  Deflater& operator=(const Deflater&) = delete;

  // Compresses all of `input` (which must stay alive and unchanged until next() returns empty)
  // and ends it with a sync flush (RFC 4978 §4), so the peer can inflate every byte at once.
  Status start(std::string_view input);
  // The next compressed piece (at most kPiece bytes, valid until the next call); empty when
  // `input` is all out.
  Result<std::string_view> next();
  // Frees the compressor between start() cycles; the next start() makes a new one.
  void release();
  bool active() const { return stream_ != nullptr; }

  size_t memory() const;

 private:
  std::unique_ptr<z_stream_s> stream_;
  ZlibMemory zlib_;
  std::string_view input_;  // what start() was given and deflate() has not taken yet
  std::string piece_;
  bool flushing_ = false;
};

}  // namespace roost::net
