#include "mailauth/dkim_signer.h"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include <algorithm>
#include <memory>

#include "mailauth/text.h"

namespace roost::mailauth {

namespace {

bool is_wsp(char c) { return c == ' ' || c == '\t'; }

struct Field {
  std::string name;  // lower case
  std::string text;  // the whole field as in the message, without the final CRLF
};

// The header fields, in order, and the offset of the body.
std::vector<Field> split_header(std::string_view message, size_t& body_start) {
  std::vector<Field> fields;
  size_t pos = 0;
  body_start = message.size();
  while (pos < message.size()) {
    size_t eol = message.find('\n', pos);
    if (eol == std::string_view::npos) eol = message.size();
    std::string_view line = message.substr(pos, eol - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t next = std::min(eol + 1, message.size());
    if (line.empty()) {
      body_start = next;
      break;
    }
    if (is_wsp(line.front()) && !fields.empty()) {
      fields.back().text += "\r\n";
      fields.back().text += line;
    } else {
      size_t colon = line.find(':');
      std::string_view name = line.substr(0, colon == std::string_view::npos ? 0 : colon);
      while (!name.empty() && is_wsp(name.back())) name.remove_suffix(1);
      fields.push_back({ascii_lower(name), std::string(line)});
    }
    pos = next;
  }
  return fields;
}

using PKey = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

Result<std::string> sign_bytes(const DkimKey& key, std::string_view data) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(key.private_pem.data(), static_cast<int>(key.private_pem.size())), BIO_free);
  PKey pkey(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr,
            EVP_PKEY_free);
  MdCtx ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!pkey || !ctx) return make_error(ErrorKind::Corrupt, "unusable DKIM key", key.dns_name());
  std::string input(data);
  const EVP_MD* md = EVP_sha256();
  if (key.algorithm == DkimAlgorithm::Ed25519) {
    // RFC 8463 §3: PureEdDSA over the SHA-256 of the data.
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
    input.assign(reinterpret_cast<char*>(digest), sizeof digest);
    md = nullptr;
  }
  size_t len = 0;
  auto* in = reinterpret_cast<const unsigned char*>(input.data());
  if (EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, pkey.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, in, input.size()) != 1)
    return make_error(ErrorKind::Internal, "DKIM signing failed", key.dns_name());
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, in,
                     input.size()) != 1)
    return make_error(ErrorKind::Internal, "DKIM signing failed", key.dns_name());
  return base64(std::string_view(sig.data(), len));
}

// "tag=value" pieces joined by "; ", folded before a piece that would pass 76 columns.
void append_tag(std::string& header, size_t& column, std::string_view piece) {
  if (column + piece.size() + 2 > 76) {
    header += "\r\n\t";
    column = 1;
  } else if (column > 0) {
    header += ' ';
    ++column;
  }
  header += piece;
  column += piece.size();
}

}  // namespace

const std::vector<std::string>& dkim_signed_fields() {
  static const std::vector<std::string> kFields = {
      "from",        "reply-to",   "subject",     "date",        "to",
      "cc",          "message-id", "in-reply-to", "references",  "mime-version",
      "content-type", "content-transfer-encoding", "list-id",    "list-unsubscribe",
      "resent-date", "resent-from", "resent-to",  "resent-cc",   "sender"};
  return kFields;
}

std::string relaxed_header(std::string_view field) {
  size_t colon = field.find(':');
  std::string_view name = field.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? "" : field.substr(colon + 1);
  while (!name.empty() && is_wsp(name.back())) name.remove_suffix(1);
  std::string out = ascii_lower(name) + ":";
  bool space = false;
  for (char c : value) {
    if (c == '\r' || c == '\n') continue;  // unfold
    if (is_wsp(c)) {
      space = true;
      continue;
    }
    if (space && out.back() != ':') out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::string relaxed_body(std::string_view body) {
  std::string out;
  size_t pending_blank = 0;  // empty lines held back: they vanish at the end of the body
  size_t pos = 0;
  while (pos < body.size()) {
    size_t eol = body.find('\n', pos);
    std::string_view line = body.substr(pos, eol == std::string_view::npos ? std::string_view::npos
                                                                          : eol - pos);
    pos = eol == std::string_view::npos ? body.size() : eol + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::string canon;
    bool space = false;
    for (char c : line) {
      if (is_wsp(c)) {
        space = true;
        continue;
      }
      if (space) canon += ' ';
      space = false;
      canon += c;
    }
    if (canon.empty()) {
      ++pending_blank;
      continue;
    }
    for (; pending_blank > 0; --pending_blank) out += "\r\n";
    out += canon;
    out += "\r\n";
  }
  return out;
}

Result<std::string> dkim_sign(std::string_view message, const DkimKey& key, int64_t now) {
  size_t body_start = 0;
  std::vector<Field> fields = split_header(message, body_start);
  std::string body = relaxed_body(message.substr(body_start));
  unsigned char body_hash[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(body.data()), body.size(), body_hash);

  // RFC 6376 §5.4.2: the n-th occurrence of a name in h= is the n-th from the bottom.
  std::string signed_data, names;
  std::vector<bool> used(fields.size(), false);
  for (const std::string& name : dkim_signed_fields()) {
    size_t count = 0;
    for (size_t i = fields.size(); i-- > 0;) {
      if (fields[i].name != name || used[i]) continue;
      used[i] = true;
      ++count;
      signed_data += relaxed_header(fields[i].text) + "\r\n";
      names += (names.empty() ? "" : ":") + name;
    }
    if (name == "from" && count > 0) names += ":from";  // over-signed: a null field
  }
  if (names.empty() || names.rfind("from", 0) != 0)
    return make_error(ErrorKind::Syntax, "a message without From: cannot be DKIM-signed");

  std::string header = "DKIM-Signature:";
  size_t column = header.size();
  std::string alg = key.algorithm == DkimAlgorithm::Ed25519 ? "ed25519-sha256" : "rsa-sha256";
  for (const std::string& piece :
       {std::string("v=1;"), "a=" + alg + ";", std::string("c=relaxed/relaxed;"),
        "d=" + key.domain + ";", "s=" + key.selector + ";", fmt::format("t={};", now)}) {
    append_tag(header, column, piece);
  }
  // h= may be long: fold it at its colons.
  std::string h = "h=" + names + ";";
  for (size_t start = 0; start < h.size();) {
    size_t end = h.size();
    if (h.size() - start > 70) end = h.rfind(':', start + 70) + 1;
    if (end <= start) end = h.size();
    append_tag(header, column, std::string_view(h).substr(start, end - start));
    start = end;
  }
  append_tag(header, column, "bh=" + base64(std::string_view(reinterpret_cast<const char*>(body_hash), sizeof body_hash)) + ";");
  append_tag(header, column, "b=");
  signed_data += relaxed_header(header);  // b= empty, no CRLF (RFC 6376 §3.7)

  auto signature = sign_bytes(key, signed_data);
  if (!signature) return signature.error();
  for (size_t i = 0; i < signature->size(); i += 72) {
    header += "\r\n\t";
    header += signature->substr(i, 72);
  }
  return header + "\r\n";
}

}  // namespace roost::mailauth
