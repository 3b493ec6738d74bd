#include "config/settings.h"

#include <gtest/gtest.h>

#include "config/settings_table.h"

namespace roost::config {
namespace {

TEST(Settings, EmptyFileGivesDefaults) {
  auto s = parse_settings("", "roost.toml");
  ASSERT_TRUE(s) << s.error().describe();
  EXPECT_EQ(s->server.data_dir, "var");
  EXPECT_EQ(s->server.log_level, "info");
  EXPECT_EQ(s->store.backend, "sqlite");
  EXPECT_EQ(s->limits.max_message_size, 64 * 1024 * 1024);
  // The standard ports of what this build offers, in net::kAllProtocols order.
  std::vector<std::string> names;
  for (const auto& l : s->listeners()) names.push_back(net::to_string(l));
  EXPECT_EQ(names, (std::vector<std::string>{"imap=0.0.0.0:143", "imaps=0.0.0.0:993",
                                             "pop3=0.0.0.0:110", "pop3s=0.0.0.0:995",
                                             "submission=0.0.0.0:587",
                                             "submissions=0.0.0.0:465", "smtp=0.0.0.0:25",
                                             "http=127.0.0.1:8080"}));
}

TEST(Settings, ReadsEveryKind) {
  auto s = parse_settings(R"(
[server]
data_dir = "/srv/roost"
threads = 4
log_level = "debug"
[limits]
max_message_size = "10 MiB"
max_line_length = 4096
[listen]
imap = ["0.0.0.0:1143", "[::1]:1143"]
http = []
)",
                          "t.toml");
  ASSERT_TRUE(s) << s.error().describe();
  EXPECT_EQ(s->server.data_dir, "/srv/roost");
  EXPECT_EQ(s->server.threads, 4);
  EXPECT_EQ(s->limits.max_message_size, 10 * 1024 * 1024);
  EXPECT_EQ(s->limits.max_line_length, 4096);
  auto l = s->listeners();
  ASSERT_EQ(l.size(), 2u);
  EXPECT_EQ(l[1].host, "::1");
  EXPECT_EQ(net::to_string(l[1]), "imap=[::1]:1143");
}

TEST(Settings, UnknownKeyNamesKeyAndLine) {
  auto s = parse_settings("[server]\n\ndatadir = \"x\"\n", "roost.toml");
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().text.find("roost.toml:3"), std::string::npos) << s.error().text;
  EXPECT_NE(s.error().text.find("server.datadir"), std::string::npos) << s.error().text;
  EXPECT_NE(s.error().text.find("unknown key"), std::string::npos) << s.error().text;
}

TEST(Settings, UnknownTableAndTopLevelKey) {
  EXPECT_FALSE(parse_settings("[nope]\nx = 1\n", "f"));
  auto s = parse_settings("data_dir = \"x\"\n", "f");
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().text.find("data_dir"), std::string::npos);
}

TEST(Settings, BadValuesNameTheKey) {
  struct Case {
    const char* toml;
    const char* expect;
  } cases[] = {
      {"[server]\nthreads = \"four\"\n", "server.threads: must be an integer"},
      {"[server]\nthreads = -1\n", "server.threads: -1 is out of range"},
      {"[server]\nlog_level = \"loud\"\n", "server.log_level: \"loud\" is not one of"},
      {"[store]\nbackend = \"postgres\"\n", "not available yet"},
      {"[store]\nbackend = \"mysql\"\n", "store.backend"},
      {"[limits]\nmax_message_size = \"lots\"\n", "is not a size"},
      {"[listen]\nimap = \"127.0.0.1:143\"\n", "listen.imap: must be an array"},
      {"[listen]\nimap = [\":143\"]\n", "missing host"},
      {"[listen]\nimap = [\"127.0.0.1:70000\"]\n", "bad port"},
      {"[server]\nhostname = \"a b\"\n", "server.hostname"},
      {"[server\n", "f:1:"},
  };
  for (const auto& c : cases) {
    auto s = parse_settings(c.toml, "f");
    ASSERT_FALSE(s) << c.toml;
    EXPECT_NE(s.error().text.find(c.expect), std::string::npos)
        << c.toml << " -> " << s.error().text;
    EXPECT_EQ(s.error().kind, ErrorKind::Syntax);
  }
}

TEST(Settings, Pop3AndPlaintextKeys) {
  auto defaults = parse_settings("", "f");
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->pop3.delete_policy, "auto");
  EXPECT_EQ(defaults->pop3.move_to, "POP3 retrieved");
  EXPECT_TRUE(defaults->pop3.mark_seen_on_retr);
  EXPECT_EQ(defaults->pop3.retention_days, 0);
  EXPECT_EQ(defaults->pop3.login_delay_seconds, 0);
  EXPECT_FALSE(defaults->auth.allow_plaintext);

  auto s = parse_settings(R"(
[auth]
allow_plaintext = true
[pop3]
delete_policy = "move"
move_to = "Archive/POP3"
mark_seen_on_retr = false
retention_days = 30
login_delay_seconds = 900
)",
                          "t.toml");
  ASSERT_TRUE(s) << s.error().describe();
  EXPECT_TRUE(s->auth.allow_plaintext);
  EXPECT_EQ(s->pop3.delete_policy, "move");
  EXPECT_EQ(s->pop3.move_to, "Archive/POP3");
  EXPECT_FALSE(s->pop3.mark_seen_on_retr);
  EXPECT_EQ(s->pop3.retention_days, 30);
  EXPECT_EQ(s->pop3.login_delay_seconds, 900);

  struct Case {
    const char* toml;
    const char* expect;
  } cases[] = {
      {"[pop3]\ndelete_policy = \"shred\"\n", "pop3.delete_policy: \"shred\" is not one of"},
      {"[pop3]\nmove_to = \"inbox\"\n", "pop3.move_to: must not be INBOX"},
      {"[pop3]\nmove_to = \"INBOX/old\"\n", "pop3.move_to: must not be INBOX"},
      {"[pop3]\nmove_to = \"a//b\"\n", "pop3.move_to: must not start or end"},
      {"[pop3]\nmove_to = \"\"\n", "pop3.move_to: must not be empty"},
      {"[pop3]\nmark_seen_on_retr = \"yes\"\n", "mark_seen_on_retr: must be true or false"},
      {"[pop3]\nretention_days = -1\n", "pop3.retention_days: -1 is out of range"},
      {"[auth]\nallow_plaintext = 1\n", "auth.allow_plaintext: must be true or false"},
  };
  for (const auto& c : cases) {
    auto bad = parse_settings(c.toml, "f");
    ASSERT_FALSE(bad) << c.toml;
    EXPECT_NE(bad.error().text.find(c.expect), std::string::npos)
        << c.toml << " -> " << bad.error().text;
  }
  EXPECT_NE(reference_markdown().find("| `pop3.mark_seen_on_retr` | boolean | `true` |"),
            std::string::npos);
}

TEST(Settings, ListenOverrideReplacesWholeTable) {
  auto s = parse_settings("[listen]\nimap = [\"127.0.0.1:1143\"]\n", "f");
  ASSERT_TRUE(s);
  ASSERT_TRUE(apply_overrides(*s, Overrides{"/tmp/x", {"https=127.0.0.1:9443"}}));
  EXPECT_EQ(s->server.data_dir, "/tmp/x");
  auto l = s->listeners();
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0].protocol, net::Protocol::Https);
  EXPECT_EQ(l[0].port, 9443);
}

TEST(Settings, ListenPortDefaultsToTheProtocols) {
  auto s = parse_settings("[listen]\nimaps = [\"127.0.0.1\"]\nhttp = []\n", "f");
  ASSERT_TRUE(s) << s.error().describe();
  auto l = s->listeners();
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0].port, 993);
}

TEST(Settings, BadListenFlag) {
  Settings s;
  auto st = apply_overrides(s, Overrides{"", {"gopher=1.2.3.4:70"}});
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().text.find("unknown protocol 'gopher'"), std::string::npos);
  EXPECT_FALSE(apply_overrides(s, Overrides{"", {"127.0.0.1:80"}}));
}

TEST(Settings, ResolveFillsDerivedDefaults) {
  Settings s;
  s.server.data_dir = "/srv/r/";
  ASSERT_TRUE(resolve(s));
  EXPECT_EQ(s.server.data_dir, "/srv/r");
  EXPECT_EQ(s.tls.cert, "/srv/r/tls/cert.pem");
  EXPECT_EQ(s.tls.key, "/srv/r/tls/key.pem");
  EXPECT_EQ(s.limits.max_literal_size, s.limits.max_message_size);
  EXPECT_FALSE(s.server.hostname.empty());
  Settings rel;
  ASSERT_TRUE(resolve(rel));
  EXPECT_EQ(rel.server.data_dir.front(), '/');
}

TEST(Settings, SizeParsing) {
  EXPECT_EQ(parse_size("100"), 100);
  EXPECT_EQ(parse_size("512k"), 512 * 1024);
  EXPECT_EQ(parse_size("64 MiB"), 64 * 1024 * 1024);
  EXPECT_EQ(parse_size("1G"), 1024LL * 1024 * 1024);
  EXPECT_FALSE(parse_size("MiB"));
  EXPECT_FALSE(parse_size("5 parsecs"));
  EXPECT_FALSE(parse_size("99999999999999999999"));
  EXPECT_EQ(human_size(64 * 1024 * 1024), "64 MiB");
  EXPECT_EQ(human_size(1536), "1.5 KiB");
  EXPECT_EQ(human_size(0), "0 B");
}

TEST(Settings, ReferenceListsEveryKeyOnce) {
  std::string md = reference_markdown();
  for (const Key& k : settings_keys()) {
    std::string cell = "| `" + k.full_name() + "` |";
    auto first = md.find(cell);
    ASSERT_NE(first, std::string::npos) << k.full_name();
    EXPECT_EQ(md.find(cell, first + 1), std::string::npos) << k.full_name();
  }
  EXPECT_NE(md.find("`[\"127.0.0.1:8080\"]`"), std::string::npos);
  EXPECT_NE(md.find("`\"64 MiB\"`"), std::string::npos);
}

TEST(Settings, ImapLiteralPlusKey) {
  auto defaults = parse_settings("", "f");
  ASSERT_TRUE(defaults);
  EXPECT_TRUE(defaults->imap.literal_plus);  // LITERAL+ unless configured otherwise
  auto minus = parse_settings("[imap]\nliteral_plus = false\n", "f");
  ASSERT_TRUE(minus) << minus.error().describe();
  EXPECT_FALSE(minus->imap.literal_plus);
  auto bad = parse_settings("[imap]\nliteral_plus = \"no\"\n", "f");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().text.find("imap.literal_plus: must be true or false"), std::string::npos)
      << bad.error().text;
  EXPECT_NE(reference_markdown().find("| `imap.literal_plus` | boolean | `true` |"),
            std::string::npos);
}

TEST(Settings, ReferenceDefaultsRoundTrip) {
  // Every default the table renders must itself load: the table and the structs agree.
  std::string toml;
  std::string table;
  Settings defaults;
  for (const Key& k : settings_keys()) {
    if (!k.default_text.empty()) continue;
    if (table != k.table) {
      table = std::string(k.table);
      toml += "[" + table + "]\n";
    }
    toml += std::string(k.name) + " = ";
    switch (k.type) {
      case KeyType::Text:
      case KeyType::Choice:
        toml += "\"" + k.text(defaults) + "\"\n";
        break;
      case KeyType::Integer:
      case KeyType::Size:
        toml += std::to_string(k.number(defaults)) + "\n";
        break;
      case KeyType::TextList:
      case KeyType::AddressList: {
        std::string items;
        for (const auto& a : k.list(defaults)) items += (items.empty() ? "\"" : ", \"") + a + "\"";
        toml += "[" + items + "]\n";
        break;
      }
      case KeyType::Boolean:
        toml += k.flag(defaults) ? "true\n" : "false\n";
        break;
    }
  }
  auto s = parse_settings(toml, "defaults.toml");
  ASSERT_TRUE(s) << s.error().describe() << "\n" << toml;
}

}  // namespace
}  // namespace roost::config
