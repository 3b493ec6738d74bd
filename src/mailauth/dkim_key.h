// DKIM signing keys: made by `roost dkim generate`, kept in the data directory, published as
// DNS TXT records (RFC 6376 §3.6.1; ed25519 keys per RFC 8463).
//
// Layout: <dir>/<domain>/<selector>.pem, the private key in PKCS#8 PEM, mode 0600. The
// algorithm is read from the key itself.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace roost::mailauth {

enum class DkimAlgorithm { Ed25519, Rsa };

std::string_view to_string(DkimAlgorithm algorithm);  // "ed25519", "rsa"

struct DkimKey {
  std::string domain;    // lower case
  std::string selector;
  DkimAlgorithm algorithm = DkimAlgorithm::Ed25519;
  std::string private_pem;
  std::string public_base64;  // what p= holds: raw key (ed25519), SubjectPublicKeyInfo (rsa)

  std::string dns_name() const;    // "<selector>._domainkey.<domain>"
  std::string dns_record() const;  // "v=DKIM1; k=ed25519; p=..."
};

// A new key pair (RSA: 2048 bits unless given).
Result<DkimKey> generate_dkim_key(std::string_view domain, std::string_view selector,
                                  DkimAlgorithm algorithm, int rsa_bits = 2048);

// Parses a PEM private key and fills algorithm and public_base64.
Result<DkimKey> dkim_key_from_pem(std::string_view domain, std::string_view selector,
                                  std::string pem);

// The keys under `dir` (a missing dir means no keys), sorted by domain, then ed25519 first.
class DkimKeyring {
 public:
  static Result<DkimKeyring> load(const std::string& dir);
  // Writes <dir>/<domain>/<selector>.pem; Exists if that selector already has a key.
  static Status save(const std::string& dir, const DkimKey& key);

  // The keys that sign mail From: this domain (exact match, case-insensitive).
  std::vector<const DkimKey*> keys_for(std::string_view domain) const;
  const std::vector<DkimKey>& all() const { return keys_; }

 private:
  std::vector<DkimKey> keys_;
};

// Checks a DKIM domain or selector: DNS labels of letters, digits, '-' (and '.' between).
bool valid_dkim_name(std::string_view name);

}  // namespace roost::mailauth
