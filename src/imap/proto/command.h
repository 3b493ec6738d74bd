// Command: one parsed IMAP command (RFC 9051 §6 and the extensions Roost speaks), as plain data.
// The CommandParser produces it; the session's command table dispatches on `name`. Mailbox names
// are already UTF-8 (modified UTF-7 decoded unless UTF8=ACCEPT is on) and "INBOX" is upper-cased.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "imap/proto/date_time.h"
#include "imap/proto/search_key.h"
#include "imap/proto/sequence_set.h"

namespace roost::imap {

// clang-format off
enum class CommandName {
  Capability, Noop, Logout, StartTls, Authenticate, Login, Enable, Id, Compress,
  Select, Examine, Create, Delete, Rename, Subscribe, Unsubscribe, List, Lsub, Namespace,
  Status, Append, Idle, Check, Close, Unselect, Expunge,
  Search, Fetch, Store, Copy, Move, Sort, Thread,
};
// clang-format on
std::string_view to_string(CommandName name);

struct AuthenticateArgs {
  std::string mechanism;                        // upper-cased
  std::optional<std::string> initial_response;  // RFC 4959 SASL-IR, decoded; "=" gives ""
  bool operator==(const AuthenticateArgs&) const = default;
};

struct LoginArgs {
  std::string user, password;
  bool operator==(const LoginArgs&) const = default;
};

struct EnableArgs {
  std::vector<std::string> capabilities;  // upper-cased (RFC 5161)
  bool operator==(const EnableArgs&) const = default;
};

struct IdArgs {
  // RFC 2971: NIL gives no list; values may be NIL.
  std::optional<std::vector<std::pair<std::string, std::optional<std::string>>>> params;
  bool operator==(const IdArgs&) const = default;
};

struct CompressArgs {
  std::string mechanism;  // upper-cased, "DEFLATE" (RFC 4978)
  bool operator==(const CompressArgs&) const = default;
};

struct QresyncParams {  // RFC 7162 §3.2.5
  uint32_t uid_validity = 0;
  uint64_t mod_seq = 0;
  std::optional<SequenceSet> known_uids;
  std::optional<std::pair<SequenceSet, SequenceSet>> seq_match;  // (known seqs, known uids)
  bool operator==(const QresyncParams&) const = default;
};

struct SelectArgs {  // SELECT and EXAMINE
  std::string mailbox;
  bool condstore = false;  // (CONDSTORE), RFC 7162 §3.1.8
  std::optional<QresyncParams> qresync;
  bool operator==(const SelectArgs&) const = default;
};

struct MailboxArgs {  // CREATE, DELETE, SUBSCRIBE, UNSUBSCRIBE
  std::string mailbox;
  std::vector<std::string> special_use;  // CREATE (USE (\Sent)), RFC 6154 §3
  bool operator==(const MailboxArgs&) const = default;
};

struct RenameArgs {
  std::string from, to;
  bool operator==(const RenameArgs&) const = default;
};

enum class StatusItem {
  Messages,
  UidNext,
  UidValidity,
  Unseen,
  Deleted,
  Size,
  Recent,
  HighestModSeq,
  AppendLimit,
  MailboxId,  // RFC 8474 §4
};
std::string_view to_string(StatusItem item);

struct StatusArgs {
  std::string mailbox;
  std::vector<StatusItem> items;
  bool operator==(const StatusArgs&) const = default;
};

struct ListArgs {  // LIST (RFC 9051 §6.3.9, RFC 5258, RFC 5819, RFC 6154) and LSUB
  // Selection options (RFC 5258 §3.1).
  bool select_subscribed = false, select_remote = false, select_recursive_match = false,
       select_special_use = false;
  std::string reference;              // UTF-8
  std::vector<std::string> patterns;  // UTF-8, wildcards kept
  bool extended = false;              // selection options, pattern list or RETURN was used
  // Return options (RFC 5258 §3.2, RFC 6154 §5.2, RFC 5819).
  bool return_subscribed = false, return_children = false, return_special_use = false;
  std::optional<std::vector<StatusItem>> return_status;
  bool operator==(const ListArgs&) const = default;
};

struct AppendMessage {  // one message of APPEND / MULTIAPPEND (RFC 3502)
  std::vector<std::string> flags;
  std::optional<DateTime> internal_date;
  uint64_t size = 0;
  bool utf8 = false;    // UTF8 (~{n}) form, RFC 6855 §4
  bool binary = false;  // literal8 ~{n}, RFC 3516 §4.4 (also true for the UTF8 form)
  bool operator==(const AppendMessage&) const = default;
};

struct AppendArgs {  // message bytes are streamed via LiteralStart/LiteralChunk, not kept here
  std::string mailbox;
  std::vector<AppendMessage> messages;
  bool operator==(const AppendArgs&) const = default;
};

struct SectionSpec {  // RFC 9051 §6.4.5 section
  enum class Text { None, Header, HeaderFields, HeaderFieldsNot, Text, Mime };
  std::vector<uint32_t> part;  // "1.2.3"; empty for the whole message
  Text text = Text::None;
  std::vector<std::string> fields;  // HEADER.FIELDS (...), upper-cased
  bool operator==(const SectionSpec&) const = default;
};

struct Partial {  // <offset.length>
  uint64_t offset = 0;
  std::optional<uint64_t> length;  // absent when the client wrote "<offset>" (never valid in FETCH)
  bool operator==(const Partial&) const = default;
};

enum class FetchItemType {
  Flags,
  InternalDate,
  Rfc822,
  Rfc822Header,
  Rfc822Size,
  Rfc822Text,
  Envelope,
  Body,
  BodyStructure,
  BodySection,
  BinarySection,
  BinarySize,
  Uid,
  ModSeq,
  SaveDate,
  EmailId,
  ThreadId,
  Preview,
};

struct FetchItem {
  FetchItemType type = FetchItemType::Flags;
  bool peek = false;    // BODY.PEEK / BINARY.PEEK
  SectionSpec section;  // BodySection, BinarySection, BinarySize (part only)
  std::optional<Partial> partial;
  bool lazy = false;  // PREVIEW (LAZY), RFC 8970 §3
  bool operator==(const FetchItem&) const = default;
};

struct FetchArgs {
  SequenceSet set;
  std::vector<FetchItem> items;           // macros ALL/FAST/FULL already expanded
  std::optional<uint64_t> changed_since;  // RFC 7162 §3.1.4
  bool vanished = false;                  // RFC 7162 §3.2.6 (UID FETCH only)
  bool operator==(const FetchArgs&) const = default;
};

struct StoreArgs {
  enum class Mode { Replace, Add, Remove };
  SequenceSet set;
  std::optional<uint64_t> unchanged_since;  // RFC 7162 §3.1.3
  Mode mode = Mode::Replace;
  bool silent = false;
  std::vector<std::string> flags;
  bool operator==(const StoreArgs&) const = default;
};

struct CopyArgs {  // COPY and MOVE (RFC 6851)
  SequenceSet set;
  std::string mailbox;
  bool operator==(const CopyArgs&) const = default;
};

struct ExpungeArgs {  // UID EXPUNGE (RFC 4315 §2.1); plain EXPUNGE has no set
  std::optional<SequenceSet> uids;
  bool operator==(const ExpungeArgs&) const = default;
};

struct SearchArgs {
  std::optional<SearchReturn> result;  // RETURN (...) present: answer with ESEARCH (RFC 4731)
  std::optional<std::string> charset;  // upper-cased
  SearchKey key;                       // an And of the top-level keys
  bool operator==(const SearchArgs&) const = default;
};

struct SortCriterion {
  enum class Key { Arrival, Cc, Date, From, Size, Subject, To, DisplayFrom, DisplayTo };
  Key key = Key::Arrival;
  bool reverse = false;
  bool operator==(const SortCriterion&) const = default;
};

struct SortArgs {  // RFC 5256 §3
  std::vector<SortCriterion> criteria;
  std::string charset;
  SearchKey key;
  bool operator==(const SortArgs&) const = default;
};

struct ThreadArgs {       // RFC 5256 §3
  std::string algorithm;  // upper-cased: ORDEREDSUBJECT, REFERENCES, ...
  std::string charset;
  SearchKey key;
  bool operator==(const ThreadArgs&) const = default;
};

using CommandArgs =
    std::variant<std::monostate, AuthenticateArgs, LoginArgs, EnableArgs, IdArgs, CompressArgs,
                 SelectArgs, MailboxArgs, RenameArgs, StatusArgs, ListArgs, AppendArgs, FetchArgs,
                 StoreArgs, CopyArgs, ExpungeArgs, SearchArgs, SortArgs, ThreadArgs>;

struct Command {
  std::string tag;
  CommandName name = CommandName::Noop;
  bool uid = false;  // "UID" prefix: sets and results are UIDs (RFC 9051 §6.4.9)
  CommandArgs args;
  bool operator==(const Command&) const = default;
};

}  // namespace roost::imap
