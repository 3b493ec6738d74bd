#include "net/deflate_codec.h"

#include <zlib.h>

#include <algorithm>
#include <climits>
#include <cstddef>
#include <cstdlib>
#include <cstring>

namespace roost::net {
namespace {

// RFC 4978 §4 / RFC 1951: raw DEFLATE, no zlib header. The peer may use the full 32 KiB window;
// our own compressor uses a smaller one (any window up to 32 KiB is valid for the peer).
constexpr int kInflateWindowBits = -15;
constexpr int kDeflateWindowBits = -13;
constexpr int kDeflateMemLevel = 6;
constexpr int kDeflateLevel = Z_DEFAULT_COMPRESSION;
constexpr size_t kHeader = alignof(std::max_align_t);  // holds the block size for zfree

voidpf counted_alloc(voidpf opaque, uInt items, uInt size) {
  size_t n = static_cast<size_t>(items) * size;
  void* block = std::malloc(n + kHeader);
  if (!block) return Z_NULL;
  std::memcpy(block, &n, sizeof n);
  static_cast<ZlibMemory*>(opaque)->bytes += n;
  return static_cast<char*>(block) + kHeader;
}

void counted_free(voidpf opaque, voidpf address) {
  char* block = static_cast<char*>(address) - kHeader;
  size_t n = 0;
  std::memcpy(&n, block, sizeof n);
  static_cast<ZlibMemory*>(opaque)->bytes -= n;
  std::free(block);
}

std::unique_ptr<z_stream> new_stream(ZlibMemory& memory) {
  auto z = std::make_unique<z_stream>();
  std::memset(z.get(), 0, sizeof(z_stream));
  z->zalloc = counted_alloc;
  z->zfree = counted_free;
  z->opaque = &memory;
  return z;
}

uInt clamp_uint(size_t n) { return static_cast<uInt>(std::min<size_t>(n, UINT_MAX)); }

// Heap bytes a string holds (none while its text fits in the object itself).
size_t heap_bytes(const std::string& s) {
  return s.capacity() > std::string().capacity() ? s.capacity() : 0;
}

}  // namespace

// --- Inflater ---

Inflater::Inflater() = default;

Inflater::~Inflater() {
  if (stream_) inflateEnd(stream_.get());
}

void Inflater::feed(std::string_view compressed) { input_.append(compressed); }

bool Inflater::has_pending() const { return input_pos_ < input_.size() || output_pending_; }

Status Inflater::resume() {
  stream_ = new_stream(zlib_);
  if (inflateInit2(stream_.get(), kInflateWindowBits) != Z_OK) {
    stream_.reset();
    return make_error(ErrorKind::Internal, "cannot start decompression", "inflateInit2");
  }
  if (!window_.empty()) {
    // Raw inflate accepts a dictionary at any point: the window back-references may reach.
    int rc = inflateSetDictionary(stream_.get(), reinterpret_cast<const Bytef*>(window_.data()),
                                  clamp_uint(window_.size()));
    if (rc != Z_OK) return make_error(ErrorKind::Internal, "cannot resume decompression");
    std::string().swap(window_);
  }
  started_ = true;
  return ok();
}

Result<size_t> Inflater::inflate(char* out, size_t capacity) {
  if (broken_) return make_error(ErrorKind::Syntax, "compressed stream is unusable");
  if (!has_pending() || capacity == 0) return size_t{0};
  if (ended_) {
    broken_ = true;
    return make_error(ErrorKind::Syntax, "data after the end of the compressed stream");
  }
  if (!stream_) ROOST_TRY(resume());
  z_stream& z = *stream_;
  size_t produced = 0;
  while (true) {
    size_t in_before = std::min<size_t>(input_.size() - input_pos_, UINT_MAX);
    size_t out_before = std::min<size_t>(capacity - produced, UINT_MAX);
    z.next_in = reinterpret_cast<Bytef*>(input_.data() + input_pos_);
    z.avail_in = static_cast<uInt>(in_before);
    z.next_out = reinterpret_cast<Bytef*>(out + produced);
    z.avail_out = static_cast<uInt>(out_before);
    int rc = ::inflate(&z, Z_SYNC_FLUSH);
    size_t used = in_before - z.avail_in;
    size_t made = out_before - z.avail_out;
    input_pos_ += used;
    produced += made;
    if (rc == Z_STREAM_END) {  // the peer ended compression; nothing may follow
      ended_ = true;
      output_pending_ = false;
      break;
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {  // Z_BUF_ERROR: no progress possible, not an error
      broken_ = true;
      if (rc == Z_MEM_ERROR) return make_error(ErrorKind::Internal, "out of memory");
      return make_error(ErrorKind::Syntax, "corrupt compressed data", z.msg ? z.msg : "");
    }
    output_pending_ = z.avail_out == 0;
    if (produced > 0 || (used == 0 && made == 0) || input_pos_ == input_.size()) break;
  }
  if (input_pos_ == input_.size()) {
    input_.clear();
    input_pos_ = 0;
  }
  return produced;  // bytes after a final block fail on the next call
}

void Inflater::hibernate() {
  if (has_pending() || broken_) return;
  std::string().swap(input_);
  input_pos_ = 0;
  if (!stream_) return;
  // zlib's data_type: bits left in the last input byte (low bits), +64 inside the final block,
  // +128 when waiting for the next block header. Only a byte-aligned boundary (what a sync or
  // full flush leaves) can be resumed by a fresh inflater primed with the window.
  int type = stream_->data_type;
  bool boundary = (type & 0x80) != 0 && (type & 0x7f) == 0;
  if (!boundary && !ended_) return;
  if (!ended_) {
    uInt size = 0;
    inflateGetDictionary(stream_.get(), nullptr, &size);
    window_.resize(size);
    inflateGetDictionary(stream_.get(), reinterpret_cast<Bytef*>(window_.data()), &size);
    window_.shrink_to_fit();
  }
  inflateEnd(stream_.get());
  stream_.reset();
}

size_t Inflater::memory() const {
  return zlib_.bytes + heap_bytes(window_) + heap_bytes(input_) + (stream_ ? sizeof(z_stream) : 0);
}

// --- Deflater ---

Deflater::Deflater() = default;

Deflater::~Deflater() { release(); }

Status Deflater::start(std::string_view input) {
  if (flushing_) return make_error(ErrorKind::Internal, "deflate already in progress");
  if (input.empty()) return ok();
  if (!stream_) {
    stream_ = new_stream(zlib_);
    if (deflateInit2(stream_.get(), kDeflateLevel, Z_DEFLATED, kDeflateWindowBits, kDeflateMemLevel,
                     Z_DEFAULT_STRATEGY) != Z_OK) {
      stream_.reset();
      return make_error(ErrorKind::Internal, "cannot start compression", "deflateInit2");
    }
  }
  input_ = input;
  stream_->avail_in = 0;
  flushing_ = true;
  return ok();
}

Result<std::string_view> Deflater::next() {
  if (!flushing_) return std::string_view{};
  z_stream& z = *stream_;
  piece_.resize(kPiece);
  z.next_out = reinterpret_cast<Bytef*>(piece_.data());
  z.avail_out = static_cast<uInt>(kPiece);
  while (z.avail_out > 0) {
    if (z.avail_in == 0 && !input_.empty()) {
      uInt n = clamp_uint(input_.size());
      z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input_.data()));
      z.avail_in = n;
      input_.remove_prefix(n);
    }
    bool last = input_.empty();
    // zlib: a sync flush needs more than six bytes of room, or it repeats the marker.
    if (last && z.avail_out <= 6) break;
    int rc = deflate(&z, last ? Z_SYNC_FLUSH : Z_NO_FLUSH);
    if (rc == Z_STREAM_ERROR) {
      flushing_ = false;
      return make_error(ErrorKind::Internal, "compression failed", "deflate");
    }
    if (last && z.avail_out > 0) {  // the flush is complete: every byte is out
      flushing_ = false;
      break;
    }
  }
  return std::string_view(piece_.data(), kPiece - z.avail_out);
}

void Deflater::release() {
  if (stream_) deflateEnd(stream_.get());
  stream_.reset();
  std::string().swap(piece_);
  input_ = {};
  flushing_ = false;
}

size_t Deflater::memory() const {
  return zlib_.bytes + heap_bytes(piece_) + (stream_ ? sizeof(z_stream) : 0);
}

}  // namespace roost::net
