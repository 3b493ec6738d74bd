// Content addresses of blobs: lower-case hex SHA-256 of the exact bytes (BlobRef::id).
// Every backend and the ingest dedupe check compute ids here, so they always agree.
#pragma once

#include <string>
#include <string_view>

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX, kept out of this header

namespace roost::store {

// Incremental hashing for streamed blobs. Not thread-safe; one per blob.
class ContentHasher {
 public:
  ContentHasher();
  ~ContentHasher();
  ContentHasher(const ContentHasher&) = delete;
  ContentHasher& operator=(const ContentHasher&) = delete;

  bool ok() const { return ok_; }  // false after an OpenSSL failure
  void update(std::string_view chunk);
  std::string finish_hex();  // 64 lower-case hex digits; empty if !ok()

 private:
  ::evp_md_ctx_st* ctx_;
  bool ok_ = true;
};

// The id the bytes get when stored.
std::string content_id(std::string_view bytes);

}  // namespace roost::store
