// The IMAP command grammar (RFC 9051 §9 plus extensions), one function per command family.
// Internal to imap/proto: CommandParser frames the bytes, these functions turn one complete
// command into a Command. Each parse_* starts right after the command name and consumes the
// rest of the command, including the check that nothing follows.
#pragma once

#include <string_view>

#include "imap/proto/command.h"
#include "imap/proto/syntax_reader.h"

namespace roost::imap::grammar {

// A complete command ("tag SP name args"), without trailing CRLF; APPEND is not handled here.
// On failure *tag is set when the tag could be read (for "tag BAD ...").
Result<Command> parse_command(std::string_view text, const ParserLimits& limits, bool utf8_names,
                              std::string* tag);

// session_grammar.cc: AUTHENTICATE, LOGIN, ENABLE, ID, COMPRESS, UID EXPUNGE.
Result<CommandArgs> parse_authenticate(SyntaxReader& r);
Result<CommandArgs> parse_login(SyntaxReader& r);
Result<CommandArgs> parse_enable(SyntaxReader& r);
Result<CommandArgs> parse_id(SyntaxReader& r);
Result<CommandArgs> parse_compress(SyntaxReader& r);
Result<CommandArgs> parse_uid_expunge(SyntaxReader& r);

// mailbox_grammar.cc
Result<CommandArgs> parse_select(SyntaxReader& r);
Result<CommandArgs> parse_create(SyntaxReader& r);
Result<CommandArgs> parse_mailbox_only(SyntaxReader& r);  // DELETE, SUBSCRIBE, UNSUBSCRIBE
Result<CommandArgs> parse_rename(SyntaxReader& r);
Result<CommandArgs> parse_list(SyntaxReader& r);
Result<CommandArgs> parse_lsub(SyntaxReader& r);
Result<CommandArgs> parse_status(SyntaxReader& r);
Result<std::vector<StatusItem>> parse_status_items(SyntaxReader& r);  // "(" att *(SP att) ")"

// message_grammar.cc
Result<CommandArgs> parse_fetch(SyntaxReader& r, bool uid);
Result<CommandArgs> parse_store(SyntaxReader& r);
Result<CommandArgs> parse_copy(SyntaxReader& r);  // COPY and MOVE

// search_grammar.cc
Result<CommandArgs> parse_search(SyntaxReader& r);
Result<CommandArgs> parse_sort(SyntaxReader& r);
Result<CommandArgs> parse_thread(SyntaxReader& r);

}  // namespace roost::imap::grammar
