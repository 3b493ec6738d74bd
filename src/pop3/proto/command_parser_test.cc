#include "pop3/proto/command_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace std::string_view_literals;

namespace roost::pop3 {
namespace {

struct Events {
  std::vector<ParseEventKind> kinds;  // every event but NeedMore
  std::vector<Command> commands;
  std::vector<Error> errors;
  std::vector<std::string> verbs;  // of the errors
  std::vector<std::string> lines;
};

// Feeds `input` in pieces of `piece` bytes (0 = whole); asks for a raw line after every AUTH
// command when `sasl_lines` > 0 (that many times).
Events run_parser(std::string_view input, size_t piece, ParserLimits limits = {},
                  int sasl_lines = 0) {
  CommandParser p(limits);
  Events run;
  auto drain = [&] {
    while (true) {
      ParseEvent e = p.next();
      if (e.kind == ParseEventKind::NeedMore) return;
      run.kinds.push_back(e.kind);
      if (e.kind == ParseEventKind::Command) {
        run.commands.push_back(*e.command);
        if (e.command->verb == Verb::Auth && sasl_lines-- > 0) p.expect_line();
      } else if (e.kind == ParseEventKind::Error) {
        run.errors.push_back(*e.error);
        run.verbs.push_back(e.verb);
      } else {
        run.lines.push_back(e.line);
        if (sasl_lines-- > 0) p.expect_line();
      }
    }
  };
  if (piece == 0) piece = input.size() + 1;
  for (size_t at = 0; at < input.size(); at += piece) {
    p.feed(input.substr(at, piece));
    drain();
  }
  drain();
  return run;
}

// Runs whole and byte by byte; both must agree.
Events run_both(std::string_view input, ParserLimits limits = {}, int sasl_lines = 0) {
  Events whole = run_parser(input, 0, limits, sasl_lines);
  Events bytes = run_parser(input, 1, limits, sasl_lines);
  EXPECT_EQ(whole.kinds, bytes.kinds) << input;
  EXPECT_EQ(whole.commands, bytes.commands) << input;
  EXPECT_EQ(whole.lines, bytes.lines) << input;
  EXPECT_EQ(whole.verbs, bytes.verbs) << input;
  EXPECT_EQ(whole.errors.size(), bytes.errors.size()) << input;
  for (size_t i = 0; i < whole.errors.size() && i < bytes.errors.size(); ++i) {
    EXPECT_EQ(whole.errors[i].text, bytes.errors[i].text) << input;
    EXPECT_EQ(whole.errors[i].kind, bytes.errors[i].kind) << input;
  }
  return whole;
}

Command parse_one(std::string_view input) {
  Events run = run_both(input);
  EXPECT_TRUE(run.errors.empty()) << input << " → " << run.errors[0].text;
  EXPECT_EQ(run.commands.size(), 1u) << input;
  return run.commands.empty() ? Command{} : run.commands[0];
}

Error parse_error(std::string_view input, ParserLimits limits = {}) {
  Events run = run_both(input, limits);
  EXPECT_TRUE(run.commands.empty()) << input;
  EXPECT_EQ(run.errors.size(), 1u) << input;
  return run.errors.empty() ? Error{} : run.errors[0];
}

TEST(Pop3Parser, CommandsWithoutArguments) {
  EXPECT_EQ(parse_one("STAT\r\n").verb, Verb::Stat);
  EXPECT_EQ(parse_one("noop\r\n").verb, Verb::Noop);
  EXPECT_EQ(parse_one("RsEt\r\n").verb, Verb::Rset);
  EXPECT_EQ(parse_one("QUIT\r\n").verb, Verb::Quit);
  EXPECT_EQ(parse_one("CAPA\r\n").verb, Verb::Capa);
  EXPECT_EQ(parse_one("stls\r\n").verb, Verb::Stls);
  EXPECT_EQ(parse_one("UTF8\r\n").verb, Verb::Utf8);
  EXPECT_EQ(parse_one("QUIT\n").verb, Verb::Quit);  // a bare LF ends a line too
  EXPECT_EQ(parse_error("STAT 1\r\n").text, "STAT takes no arguments");
  EXPECT_EQ(parse_error("QUIT now\r\n").text, "QUIT takes no arguments");
}

TEST(Pop3Parser, MessageNumbers) {
  Command list = parse_one("LIST\r\n");
  EXPECT_EQ(list.verb, Verb::List);
  EXPECT_FALSE(list.message);
  EXPECT_EQ(parse_one("LIST 7\r\n").message, 7u);
  EXPECT_EQ(parse_one("uidl 12\r\n").message, 12u);
  EXPECT_FALSE(parse_one("UIDL\r\n").message);
  EXPECT_EQ(parse_one("RETR 1\r\n").message, 1u);
  EXPECT_EQ(parse_one("DELE 0003\r\n").message, 3u);
  EXPECT_EQ(parse_one("RETR 2147483647\r\n").message, 2147483647u);
  EXPECT_EQ(parse_error("RETR 2147483648\r\n").text, "Invalid message number");
  EXPECT_EQ(parse_error("RETR 0\r\n").text, "Invalid message number");
  EXPECT_EQ(parse_error("RETR -1\r\n").text, "Invalid message number");
  EXPECT_EQ(parse_error("RETR +1\r\n").text, "Invalid message number");
  EXPECT_EQ(parse_error("RETR 1x\r\n").text, "Invalid message number");
  EXPECT_EQ(parse_error("RETR 99999999999999999999\r\n").text, "Invalid message number");
  EXPECT_EQ(parse_error("RETR\r\n").text, "RETR needs a message number");
  EXPECT_EQ(parse_error("DELE\r\n").text, "DELE needs a message number");
  EXPECT_EQ(parse_error("RETR 1 2\r\n").text, "Too many arguments for RETR");
  EXPECT_EQ(parse_error("LIST 1 2\r\n").text, "Too many arguments for LIST");
  // Over 40 octets (RFC 2449 §4), even when the value would fit.
  EXPECT_EQ(parse_error("RETR " + std::string(41, '0') + "1\r\n").text, "Invalid message number");
}

TEST(Pop3Parser, Top) {
  Command top = parse_one("TOP 3 10\r\n");
  EXPECT_EQ(top.verb, Verb::Top);
  EXPECT_EQ(top.message, 3u);
  EXPECT_EQ(top.lines, 10u);
  EXPECT_EQ(parse_one("top 1 0\r\n").lines, 0u);
  EXPECT_EQ(parse_error("TOP 1\r\n").text, "TOP needs a message number and a line count");
  EXPECT_EQ(parse_error("TOP 1 x\r\n").text, "Invalid line count");
  EXPECT_EQ(parse_error("TOP 0 1\r\n").text, "Invalid message number");
  EXPECT_EQ(parse_error("TOP 1 -1\r\n").text, "Invalid line count");
}

TEST(Pop3Parser, ExtraSpacesAreTolerated) {
  EXPECT_EQ(parse_one("LIST  4 \r\n").message, 4u);
  Command top = parse_one("TOP 4   2\r\n");
  EXPECT_EQ(top.lines, 2u);
}

TEST(Pop3Parser, UserAndPass) {
  Command user = parse_one("USER alice@example.org\r\n");
  EXPECT_EQ(user.verb, Verb::User);
  EXPECT_EQ(user.text, "alice@example.org");
  // RFC 1939 §7: spaces belong to the password, leading and trailing ones too.
  Command pass = parse_one("PASS  correct horse battery \r\n");
  EXPECT_EQ(pass.verb, Verb::Pass);
  EXPECT_EQ(pass.text, " correct horse battery ");
  EXPECT_EQ(parse_one("pass \xc3\xa9t\xc3\xa9\r\n").text, "\xc3\xa9t\xc3\xa9");  // UTF-8 (RFC 6856)
  // Longer than 40 octets: passwords and addresses often are.
  std::string long_password(100, 'p');
  EXPECT_EQ(parse_one("PASS " + long_password + "\r\n").text, long_password);
  EXPECT_EQ(parse_error("PASS\r\n").text, "PASS needs a password");
  EXPECT_EQ(parse_error("USER\r\n").text, "USER needs a name");
  EXPECT_EQ(parse_error("PASS a\0b\r\n"sv).text, "NUL byte in command");
}

TEST(Pop3Parser, Apop) {
  Command apop = parse_one("APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n");
  EXPECT_EQ(apop.verb, Verb::Apop);
  EXPECT_EQ(apop.text, "mrose");
  EXPECT_EQ(apop.digest, "c4c9334bac560ecc979e58001b3e22fb");
  EXPECT_EQ(parse_error("APOP mrose\r\n").text, "APOP needs a name and a digest");
}

TEST(Pop3Parser, Auth) {
  Command list = parse_one("AUTH\r\n");
  EXPECT_EQ(list.verb, Verb::Auth);
  EXPECT_TRUE(list.mechanism.empty());
  Command plain = parse_one("auth plain\r\n");
  EXPECT_EQ(plain.mechanism, "PLAIN");
  EXPECT_FALSE(plain.initial_response);
  Command ir = parse_one("AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n");
  EXPECT_EQ(ir.initial_response, "AGFsaWNlAHNlY3JldA==");
  EXPECT_EQ(parse_one("AUTH SCRAM-SHA-256 =\r\n").initial_response, "=");
  EXPECT_EQ(parse_error("AUTH PL/AIN\r\n").text, "Invalid SASL mechanism name");
  EXPECT_EQ(parse_error("AUTH " + std::string(21, 'X') + "\r\n").text,
            "Invalid SASL mechanism name");
  EXPECT_EQ(parse_error("AUTH PLAIN a b\r\n").text, "Too many arguments for AUTH");
  // An initial response may be far longer than 255 octets (RFC 5034 §4), up to max_sasl_line.
  std::string big(4000, 'A');
  EXPECT_EQ(parse_one("AUTH PLAIN " + big + "\r\n").initial_response, big);
}

TEST(Pop3Parser, UnknownAndEmpty) {
  Error unknown = parse_error("XYZZY\r\n");
  EXPECT_EQ(unknown.kind, ErrorKind::Syntax);
  EXPECT_EQ(unknown.text, "Unknown command");
  EXPECT_EQ(parse_error("\r\n").text, "Empty command");
  EXPECT_EQ(parse_error(" STAT\r\n").text, "Unknown command");
  EXPECT_EQ(parse_error("ST\r\n").text, "Unknown command");
  EXPECT_EQ(parse_error("STATS\r\n").text, "Unknown command");
  Events run = run_both("RETR x\r\n");
  ASSERT_EQ(run.verbs.size(), 1u);
  EXPECT_EQ(run.verbs[0], "RETR");
  Events unknown_verb = run_both("FOO\r\n");
  EXPECT_EQ(unknown_verb.verbs, std::vector<std::string>{""});
}

TEST(Pop3Parser, CommandLineLimit) {
  // RFC 2449 §4: 255 octets including CRLF.
  std::string fits = "USER " + std::string(255 - 7, 'a') + "\r\n";
  ASSERT_EQ(fits.size(), 255u);
  EXPECT_EQ(parse_one(fits).text.size(), 248u);
  std::string over = "USER " + std::string(255 - 6, 'a') + "\r\n";
  Error e = parse_error(over);
  EXPECT_EQ(e.kind, ErrorKind::Limit);
  EXPECT_EQ(e.text, "Line too long (the limit is 255 octets)");
}

TEST(Pop3Parser, OverlongLineIsSkippedAndParsingResumes) {
  ParserLimits limits;
  limits.max_sasl_line = 300;
  std::string input = "NOOP " + std::string(5000, 'x') + "\r\nSTAT\r\nAUTH PLAIN " +
                      std::string(400, 'A') + "\r\nQUIT\r\n";
  Events run = run_both(input, limits);
  ASSERT_EQ(run.kinds.size(), 4u);
  EXPECT_EQ(run.kinds[0], ParseEventKind::Error);
  EXPECT_EQ(run.errors[0].kind, ErrorKind::Limit);
  EXPECT_EQ(run.errors[0].text, "Line too long (the limit is 255 octets)");
  EXPECT_EQ(run.verbs[0], "NOOP");
  EXPECT_EQ(run.commands[0].verb, Verb::Stat);
  EXPECT_EQ(run.errors[1].text, "Line too long (the limit is 300 octets)");
  EXPECT_EQ(run.verbs[1], "AUTH");
  EXPECT_EQ(run.commands[1].verb, Verb::Quit);
}

TEST(Pop3Parser, OverlongLineIsNotBuffered) {
  CommandParser p;
  p.feed("RETR ");
  EXPECT_EQ(p.next().kind, ParseEventKind::NeedMore);
  for (int i = 0; i < 1000; ++i) {
    p.feed(std::string(1024, '1'));
    EXPECT_EQ(p.next().kind, ParseEventKind::NeedMore);
  }
  EXPECT_FALSE(p.has_buffered());  // a megabyte went by, none of it kept
  p.feed("1\r\nNOOP\r\n");
  ParseEvent e = p.next();
  ASSERT_EQ(e.kind, ParseEventKind::Error);
  EXPECT_EQ(e.error->kind, ErrorKind::Limit);
  EXPECT_EQ(p.next().command->verb, Verb::Noop);
}

TEST(Pop3Parser, PipelinedCommandsInOrder) {
  Events run =
      run_both("USER a\r\nPASS b\r\nSTAT\r\nLIST\r\nRETR 1\r\nbogus\r\nDELE 1\r\nQUIT\r\n");
  std::vector<Verb> verbs;
  for (const Command& c : run.commands) verbs.push_back(c.verb);
  EXPECT_EQ(verbs, (std::vector<Verb>{Verb::User, Verb::Pass, Verb::Stat, Verb::List, Verb::Retr,
                                      Verb::Dele, Verb::Quit}));
  EXPECT_EQ(run.kinds[5], ParseEventKind::Error);
}

TEST(Pop3Parser, SaslLines) {
  Events run = run_both("AUTH PLAIN\r\nAGEAYg==\r\nSTAT\r\n", {}, 1);
  EXPECT_EQ(run.kinds, (std::vector<ParseEventKind>{ParseEventKind::Command, ParseEventKind::Line,
                                                    ParseEventKind::Command}));
  EXPECT_EQ(run.lines, std::vector<std::string>{"AGEAYg=="});
  // "*" cancels (RFC 5034 §4): the session sees it as a line; empty lines are lines too.
  Events cancel = run_both("AUTH LOGIN\r\n*\r\n\r\n", {}, 2);
  EXPECT_EQ(cancel.lines, (std::vector<std::string>{"*", ""}));
  // Lines longer than a command line are fine up to max_sasl_line.
  std::string big(5000, 'Q');
  EXPECT_EQ(run_both("AUTH X\r\n" + big + "\r\n", {}, 1).lines, std::vector<std::string>{big});
  ParserLimits small;
  small.max_sasl_line = 100;
  Events over = run_both("AUTH X\r\n" + std::string(500, 'Q') + "\r\nNOOP\r\n", small, 1);
  ASSERT_EQ(over.errors.size(), 1u);
  EXPECT_EQ(over.errors[0].text, "Line too long (the limit is 100 octets)");
  EXPECT_EQ(over.commands.back().verb, Verb::Noop);  // the next line is a command again
  Events just_over = run_both("AUTH X\r\n" + std::string(101, 'Q') + "\r\nNOOP\r\n", small, 1);
  ASSERT_EQ(just_over.errors.size(), 1u);
  EXPECT_EQ(just_over.commands.back().verb, Verb::Noop);
}

TEST(Pop3Parser, TakeBufferedForStls) {
  CommandParser p;
  p.feed("STLS\r\nUSER evil\r\n");
  EXPECT_EQ(p.next().command->verb, Verb::Stls);
  EXPECT_TRUE(p.has_buffered());
  EXPECT_EQ(p.take_buffered(), "USER evil\r\n");
  EXPECT_EQ(p.next().kind, ParseEventKind::NeedMore);
}

TEST(Pop3Parser, ParseCommandLine) {
  auto c = parse_command_line("TOP 1 5", {});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->lines, 5u);
  EXPECT_FALSE(parse_command_line("TOP", {}));
}

}  // namespace
}  // namespace roost::pop3
