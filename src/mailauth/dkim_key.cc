#include "mailauth/dkim_key.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "mailauth/text.h"

namespace roost::mailauth {

namespace fs = std::filesystem;

namespace {

using PKey = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;

Error crypto_error(std::string_view what) {
  return make_error(ErrorKind::Internal, fmt::format("DKIM key: {} failed", what));
}

// Fills algorithm and public_base64 from the private key.
Status describe(EVP_PKEY* pkey, DkimKey& key) {
  int id = EVP_PKEY_get_base_id(pkey);
  if (id == EVP_PKEY_ED25519) {
    key.algorithm = DkimAlgorithm::Ed25519;
    unsigned char raw[32];
    size_t len = sizeof raw;
    if (EVP_PKEY_get_raw_public_key(pkey, raw, &len) != 1) return crypto_error("reading the key");
    key.public_base64 = base64(std::string_view(reinterpret_cast<const char*>(raw), len));
    return ok();
  }
  if (id == EVP_PKEY_RSA) {
    key.algorithm = DkimAlgorithm::Rsa;
    int len = i2d_PUBKEY(pkey, nullptr);
    if (len <= 0) return crypto_error("encoding the public key");
    std::string der(static_cast<size_t>(len), '\0');
    auto* p = reinterpret_cast<unsigned char*>(der.data());
    i2d_PUBKEY(pkey, &p);
    key.public_base64 = base64(der);
    return ok();
  }
  return make_error(ErrorKind::Syntax, "DKIM keys are ed25519 or RSA");
}

}  // namespace

std::string_view to_string(DkimAlgorithm algorithm) {
  return algorithm == DkimAlgorithm::Ed25519 ? "ed25519" : "rsa";
}

std::string DkimKey::dns_name() const { return selector + "._domainkey." + domain; }

std::string DkimKey::dns_record() const {
  return fmt::format("v=DKIM1; k={}; p={}", to_string(algorithm), public_base64);
}

bool valid_dkim_name(std::string_view name) {
  if (name.empty() || name.size() > 253 || name.front() == '.' || name.back() == '.') return false;
  size_t label = 0;
  for (char c : name) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') {
      if (++label > 63) return false;
    } else {
      return false;
    }
  }
  return true;
}

Result<DkimKey> generate_dkim_key(std::string_view domain, std::string_view selector,
                                  DkimAlgorithm algorithm, int rsa_bits) {
  if (!valid_dkim_name(domain) || !valid_dkim_name(selector))
    return make_error(ErrorKind::Syntax, "DKIM domain and selector must be DNS names");
  EVP_PKEY* raw = algorithm == DkimAlgorithm::Ed25519
                      ? EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")
                      : EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(rsa_bits));
  if (!raw) return crypto_error("key generation");
  PKey pkey(raw, EVP_PKEY_free);
  Bio bio(BIO_new(BIO_s_mem()), BIO_free);
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), pkey.get(), nullptr, nullptr, 0, nullptr,
                                       nullptr) != 1)
    return crypto_error("PEM encoding");
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  DkimKey key{ascii_lower(domain), std::string(selector), algorithm, std::string(data, len), {}};
  ROOST_TRY(describe(pkey.get(), key));
  return key;
}

Result<DkimKey> dkim_key_from_pem(std::string_view domain, std::string_view selector,
                                  std::string pem) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  PKey pkey(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr,
            EVP_PKEY_free);
  if (!pkey) return make_error(ErrorKind::Corrupt, "not a PEM private key");
  DkimKey key{ascii_lower(domain), std::string(selector), DkimAlgorithm::Ed25519, std::move(pem), {}};
  ROOST_TRY(describe(pkey.get(), key));
  return key;
}

Result<DkimKeyring> DkimKeyring::load(const std::string& dir) {
  DkimKeyring ring;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return ring;
  for (const auto& domain_dir : fs::directory_iterator(dir, ec)) {
    if (!domain_dir.is_directory()) continue;
    std::string domain = domain_dir.path().filename().string();
    for (const auto& file : fs::directory_iterator(domain_dir.path(), ec)) {
      if (file.path().extension() != ".pem") continue;
      std::ifstream in(file.path(), std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      auto key = dkim_key_from_pem(domain, file.path().stem().string(), text.str());
      if (!key) {
        return make_error(ErrorKind::Corrupt, "unreadable DKIM key",
                          fmt::format("{}: {}", file.path().string(), key.error().describe()));
      }
      ring.keys_.push_back(std::move(*key));
    }
  }
  if (ec) return make_error(ErrorKind::Io, "cannot read the DKIM key directory", ec.message());
  std::sort(ring.keys_.begin(), ring.keys_.end(), [](const DkimKey& a, const DkimKey& b) {
    return std::tie(a.domain, a.algorithm, a.selector) < std::tie(b.domain, b.algorithm, b.selector);
  });
  return ring;
}

Status DkimKeyring::save(const std::string& dir, const DkimKey& key) {
  fs::path domain_dir = fs::path(dir) / key.domain;
  std::error_code ec;
  fs::create_directories(domain_dir, ec);
  if (ec) return make_error(ErrorKind::Io, "cannot create the DKIM key directory", ec.message());
  // Private keys: only the server's user may list or read them.
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  fs::permissions(domain_dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  fs::path path = domain_dir / (key.selector + ".pem");
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0 && errno == EEXIST)
    return make_error(ErrorKind::Exists,
                      fmt::format("{} already has a DKIM key with selector {}", key.domain,
                                  key.selector));
  if (fd < 0) return make_error(ErrorKind::Io, "cannot write the DKIM key", path.string());
  bool written = ::write(fd, key.private_pem.data(), key.private_pem.size()) ==
                     static_cast<ssize_t>(key.private_pem.size()) &&
                 ::fsync(fd) == 0;
  ::close(fd);
  if (!written) return make_error(ErrorKind::Io, "cannot write the DKIM key", path.string());
  return ok();
}

std::vector<const DkimKey*> DkimKeyring::keys_for(std::string_view domain) const {
  std::string want = ascii_lower(domain);
  std::vector<const DkimKey*> out;
  for (const auto& key : keys_) {
    if (key.domain == want) out.push_back(&key);
  }
  return out;
}

}  // namespace roost::mailauth
