#include "store/content_hash.h"

#include <openssl/evp.h>

namespace roost::store {

ContentHasher::ContentHasher() : ctx_(EVP_MD_CTX_new()) {
  ok_ = ctx_ != nullptr && EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr) == 1;
}

ContentHasher::~ContentHasher() { EVP_MD_CTX_free(ctx_); }

void ContentHasher::update(std::string_view chunk) {
  if (ok_ && EVP_DigestUpdate(ctx_, chunk.data(), chunk.size()) != 1) ok_ = false;
}

std::string ContentHasher::finish_hex() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!ok_ || EVP_DigestFinal_ex(ctx_, digest, &len) != 1 || len != 32) {
    ok_ = false;
    return {};
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  id.reserve(64);
  for (unsigned i = 0; i < len; ++i) {
    id.push_back(kHex[digest[i] >> 4]);
    id.push_back(kHex[digest[i] & 15]);
  }
  return id;
}

std::string content_id(std::string_view bytes) {
  ContentHasher hasher;
  hasher.update(bytes);
  return hasher.finish_hex();
}

}  // namespace roost::store
