// FetchRenderer: the wire text of one "* n FETCH (...)" response (RFC 9051 §7.5.2, RFC 3501
// §7.4.2, RFC 3516 BINARY, RFC 7162 MODSEQ, RFC 8514 SAVEDATE, RFC 8474 EMAILID/THREADID,
// RFC 8970 PREVIEW) from plain data. Pure; the session loads what fetch_needs() asks for,
// applies \Seen when sets_seen() says so (before rendering, so FLAGS shows it), and sends the text.
// A literal of at least FetchOptions::min_slice bytes is rendered as slices of the message where
// it is stored bytes (BODY[...], RFC822*, BINARY of 7bit/8bit/binary content), so the session can
// send a 2 GiB body from the mapping in bounded pieces instead of copying it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "imap/engine/sliced_bytes.h"
#include "imap/proto/command.h"
#include "imap/proto/response_writer.h"
#include "mime/message.h"
#include "store/types.h"

namespace roost::imap {

// What rendering `items` reads besides the MessageEntry.
struct FetchNeeds {
  bool parsed = false;  // ParsedMessage (ENVELOPE, BODYSTRUCTURE, sections, PREVIEW)
  bool bytes = false;   // the message bytes (sections, RFC822*, BINARY*)
};
FetchNeeds fetch_needs(const std::vector<FetchItem>& items);

// RFC 9051 §6.4.5: BODY[...] (not PEEK), RFC822, RFC822.TEXT and BINARY[...] set \Seen.
bool sets_seen(const std::vector<FetchItem>& items);

struct FetchInput {
  uint32_t seq = 0;
  const store::MessageEntry* entry = nullptr;   // required
  const mime::ParsedMessage* parsed = nullptr;  // required when fetch_needs().parsed
  std::string_view bytes;                       // required when fetch_needs().bytes
  // Told of each 8 MiB window of `bytes` a literal's NUL scan read through (only for literals
  // of at least min_slice bytes), so the caller can drop those mapped pages as it goes.
  mime::ScanProgress scanned;
};

struct FetchOptions {
  StringStyle style;       // utf8_quoted once UTF8=ACCEPT / IMAP4rev2 is on (RFC 9051 §6.3.1)
  bool add_flags = false;  // append FLAGS when not asked (the session just set \Seen)
  // Append UID / MODSEQ when not asked: RFC 7162 §3.2.4, a CONDSTORE-aware client learns both
  // for every message whose flags the FETCH changed.
  bool add_uid = false;
  bool add_modseq = false;
  // Literals of at least this many bytes become FetchPieces: slices of the message where they
  // are its stored bytes, their owned parts (decoded BINARY) pieces of their own; smaller ones,
  // and every one by default, are copied into the text.
  uint64_t min_slice = UINT64_MAX;
};

// One stretch of a rendered response: owned text, or `length` bytes of FetchInput::bytes from
// `offset`. A slice with nul_to_0x80 is sent with each NUL as 0x80 (BODY[] of data with NULs,
// as the text of a small literal would be).
struct FetchPiece {
  std::string text;
  uint64_t offset = 0;
  uint64_t length = 0;
  bool slice = false;
  bool nul_to_0x80 = false;
  uint64_t size() const { return slice ? length : text.size(); }
};

struct RenderedFetch {
  std::vector<FetchPiece> pieces;
  bool has_slices() const;
  uint64_t size() const;
  std::string flatten(std::string_view message) const;  // the bytes on the wire
};

// The detail of the error render_fetch() returns for an unknown Content-Transfer-Encoding;
// the session answers "NO [UNKNOWN-CTE]" (RFC 3516 §4.3). Kind is ErrorKind::Corrupt.
inline constexpr std::string_view kUnknownCte = "UNKNOWN-CTE";
bool is_unknown_cte(const Error& error);

// "* <seq> FETCH (<items in request order>)\r\n" including literals. Fails only for BINARY of a
// part with an unknown transfer encoding. The pieces, flattened, are the same bytes whatever
// min_slice is.
Result<RenderedFetch> render_fetch_pieces(const FetchInput& input,
                                          const std::vector<FetchItem>& items,
                                          const FetchOptions& options = {});
// The same, flattened into one string.
Result<std::string> render_fetch(const FetchInput& input, const std::vector<FetchItem>& items,
                                 const FetchOptions& options = {});
// The same, appended to `out` (which keeps what was written before a failure).
Status append_fetch(std::string& out, const FetchInput& input, const std::vector<FetchItem>& items,
                    const FetchOptions& options = {});

// RFC 8474 §5.1: EMAILID "M" + the first 24 hex digits of the blob's SHA-256 (same bytes, same id).
std::string email_id(const store::BlobRef& blob);
// RFC 8474 §4: MAILBOXID "F" + the store's mailbox id, which survives RENAME and is never
// reused (the store allocates ids with AUTOINCREMENT).
std::string mailbox_object_id(store::MailboxId id);

// "(\Seen \Answered $Forwarded)" for a Flags value (system flags first, then keywords).
void write_flags(std::string& out, const store::Flags& flags);

}  // namespace roost::imap
