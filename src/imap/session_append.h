// APPEND streaming (RFC 9051 §6.3.12): the parser hands each message literal over as LiteralStart,
// LiteralChunk… and LiteralEnd before the APPEND Command event; these feed mailbox::Ingest chunk by
// chunk so a message is never held whole in memory. cmd_append() (command_table.h) commits it.
#pragma once

#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "imap/proto/command_parser.h"

namespace roost::imap {

class Session;

// Checks state, size (NO [TOOBIG]), the mailbox (NO [TRYCREATE]) and quota (NO [OVERQUOTA]);
// then invites the bytes ("+ Ready") or refuses the literal with the tagged NO.
boost::asio::awaitable<void> append_literal_start(Session& session, ParseEvent& event);
boost::asio::awaitable<void> append_literal_chunk(Session& session, std::string_view chunk);

}  // namespace roost::imap
