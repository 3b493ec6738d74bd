#include "config/settings.h"

#include <fmt/format.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "base/env.h"
#include "config/settings_table.h"

namespace roost::config {
namespace {

std::string_view node_kind(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    default:
      return "a date/time";
  }
}

// Every error names the file, the line and the key, so users can fix it without guessing.
Error at(std::string_view source, const toml::node& node, std::string_view key,
         std::string_view message) {
  return make_error(ErrorKind::Syntax,
                    fmt::format("{}:{}: {}: {}", source, node.source().begin.line, key, message));
}

Status apply_number(Settings& s, const Key& key, const toml::node& node, std::string_view source) {
  std::optional<int64_t> value;
  if (auto n = node.as_integer()) {
    value = n->get();
  } else if (auto str = node.as_string(); str && key.type == KeyType::Size) {
    value = parse_size(str->get());
    if (!value) {
      return at(
          source, node, key.full_name(),
          fmt::format("\"{}\" is not a size (use bytes or e.g. \"64 MiB\", \"512k\")", str->get()));
    }
  } else {
    return at(source, node, key.full_name(),
              fmt::format("must be {}, not {}", key.type == KeyType::Size ? "a size" : "an integer",
                          node_kind(node)));
  }
  if (*value < key.min || *value > key.max) {
    return at(source, node, key.full_name(),
              fmt::format("{} is out of range ({} to {})", *value, key.min, key.max));
  }
  key.number(s) = *value;
  return ok();
}

Status apply_text(Settings& s, const Key& key, const toml::node& node, std::string_view source) {
  auto str = node.as_string();
  if (!str)
    return at(source, node, key.full_name(),
              fmt::format("must be a string, not {}", node_kind(node)));
  const std::string& value = str->get();
  if (key.check) {
    if (auto complaint = key.check(value)) return at(source, node, key.full_name(), *complaint);
  }
  if (key.type == KeyType::Choice &&
      std::find(key.choices.begin(), key.choices.end(), value) == key.choices.end()) {
    std::string allowed;
    for (auto c : key.choices) allowed += (allowed.empty() ? "\"" : ", \"") + std::string(c) + "\"";
    return at(source, node, key.full_name(),
              fmt::format("\"{}\" is not one of {}", value, allowed));
  }
  key.text(s) = value;
  return ok();
}

Status apply_list(Settings& s, const Key& key, const toml::node& node, std::string_view source) {
  auto array = node.as_array();
  if (!array) {
    return at(source, node, key.full_name(),
              fmt::format("must be an array of \"host:port\" strings, not {}", node_kind(node)));
  }
  std::vector<std::string> values;
  for (const toml::node& item : *array) {
    auto str = item.as_string();
    if (!str) return at(source, item, key.full_name(), "each address must be a string");
    auto parsed = net::parse_listen_spec(fmt::format("{}={}", key.name, str->get()));
    if (!parsed) return at(source, item, key.full_name(), parsed.error().text);
    values.push_back(str->get());
  }
  key.list(s) = std::move(values);
  return ok();
}

Status apply_text_list(Settings& s, const Key& key, const toml::node& node,
                       std::string_view source) {
  auto array = node.as_array();
  if (!array) {
    return at(source, node, key.full_name(),
              fmt::format("must be an array of strings, not {}", node_kind(node)));
  }
  std::vector<std::string> values;
  for (const toml::node& item : *array) {
    auto str = item.as_string();
    if (!str) return at(source, item, key.full_name(), "each entry must be a string");
    if (key.check) {
      if (auto complaint = key.check(str->get())) {
        return at(source, item, key.full_name(), *complaint);
      }
    }
    values.push_back(str->get());
  }
  key.list(s) = std::move(values);
  return ok();
}

Status apply_flag(Settings& s, const Key& key, const toml::node& node, std::string_view source) {
  auto value = node.as_boolean();
  if (!value) {
    return at(source, node, key.full_name(),
              fmt::format("must be true or false, not {}", node_kind(node)));
  }
  key.flag(s) = value->get();
  return ok();
}

Status apply_key(Settings& s, const Key& key, const toml::node& node, std::string_view source) {
  switch (key.type) {
    case KeyType::Integer:
    case KeyType::Size:
      return apply_number(s, key, node, source);
    case KeyType::Text:
    case KeyType::Choice:
      return apply_text(s, key, node, source);
    case KeyType::AddressList:
      return apply_list(s, key, node, source);
    case KeyType::Boolean:
      return apply_flag(s, key, node, source);
    case KeyType::TextList:
      return apply_text_list(s, key, node, source);
  }
  return ok();
}

std::string keys_of_table(std::string_view table) {
  std::string out;
  for (const Key& k : settings_keys()) {
    if (k.table == table) out += (out.empty() ? "" : ", ") + std::string(k.name);
  }
  return out;
}

std::string system_hostname() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "localhost";
  return buf;
}

}  // namespace

std::vector<std::string>* Settings::listen_list(std::string_view protocol) {
  ListenSettings& l = listen;
  if (protocol == "imap") return &l.imap;
  if (protocol == "imaps") return &l.imaps;
  if (protocol == "pop3") return &l.pop3;
  if (protocol == "pop3s") return &l.pop3s;
  if (protocol == "submission") return &l.submission;
  if (protocol == "submissions") return &l.submissions;
  if (protocol == "smtp") return &l.smtp;
  if (protocol == "lmtp") return &l.lmtp;
  if (protocol == "http") return &l.http;
  if (protocol == "https") return &l.https;
  return nullptr;
}

const std::vector<std::string>* Settings::listen_list(std::string_view protocol) const {
  return const_cast<Settings*>(this)->listen_list(protocol);
}

void Settings::clear_listeners() {
  for (net::Protocol proto : net::kAllProtocols) listen_list(net::to_string(proto))->clear();
}

std::vector<net::ListenSpec> Settings::listeners() const {
  std::vector<net::ListenSpec> out;
  for (net::Protocol proto : net::kAllProtocols) {
    for (const std::string& value : *listen_list(net::to_string(proto))) {
      auto parsed = net::parse_listen_spec(fmt::format("{}={}", net::to_string(proto), value));
      if (parsed) out.push_back(*parsed);
    }
  }
  return out;
}

Result<Settings> parse_settings(std::string_view text, std::string_view source) {
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    return make_error(ErrorKind::Syntax,
                      fmt::format("{}:{}: {}", source, e.source().begin.line, e.description()));
  }
  Settings s;
  s.source = std::string(source);
  const auto& keys = settings_keys();
  for (const auto& [table_name, table_node] : root) {
    std::string_view table = table_name.str();
    auto* table_value = table_node.as_table();
    bool known_table =
        std::any_of(keys.begin(), keys.end(), [&](const Key& k) { return k.table == table; });
    if (!known_table) {
      return at(
          source, table_node, table,
          table_value ? "unknown table" : "unknown key (settings live in tables like [server])");
    }
    if (!table_value)
      return at(source, table_node, table, "must be a table, e.g. [" + std::string(table) + "]");
    // A [listen] table says which listeners run, whole: protocols it leaves out are not started.
    if (table == "listen") s.clear_listeners();
    for (const auto& [key_name, node] : *table_value) {
      auto it = std::find_if(keys.begin(), keys.end(), [&](const Key& k) {
        return k.table == table && k.name == key_name.str();
      });
      if (it == keys.end()) {
        return at(source, node, std::string(table) + "." + std::string(key_name.str()),
                  fmt::format("unknown key (known in [{}]: {})", table, keys_of_table(table)));
      }
      ROOST_TRY(apply_key(s, *it, node, source));
    }
  }
  return s;
}

Result<Settings> load_settings_file(const std::string& path) {
  auto text = Env::real().read_file(path);
  if (!text) {
    return make_error(ErrorKind::NotFound, "cannot read config file " + path,
                      text.error().describe());
  }
  return parse_settings(*text, path);
}

Status apply_overrides(Settings& settings, const Overrides& overrides) {
  if (!overrides.data_dir.empty()) settings.server.data_dir = overrides.data_dir;
  if (overrides.listen.empty()) return ok();
  // Any --listen means "exactly these listeners": the [listen] table is replaced whole.
  settings.clear_listeners();
  for (const std::string& flag : overrides.listen) {
    auto parsed = net::parse_listen_spec(flag);
    if (!parsed) return parsed.error();
    settings.listen_list(net::to_string(parsed->protocol))
        ->push_back(flag.substr(flag.find('=') + 1));
  }
  return ok();
}

Status resolve(Settings& settings) {
  if (settings.server.data_dir.empty()) {
    return make_error(ErrorKind::Syntax, "server.data_dir: must not be empty");
  }
  std::error_code ec;
  auto absolute = std::filesystem::absolute(settings.server.data_dir, ec);
  if (ec) {
    return make_error(ErrorKind::Io, "cannot resolve data dir " + settings.server.data_dir,
                      ec.message());
  }
  settings.server.data_dir = absolute.lexically_normal().string();
  if (settings.server.data_dir.size() > 1 && settings.server.data_dir.back() == '/') {
    settings.server.data_dir.pop_back();
  }
  if (settings.server.hostname.empty()) settings.server.hostname = system_hostname();
  if (settings.tls.cert.empty()) settings.tls.cert = settings.server.data_dir + "/tls/cert.pem";
  if (settings.tls.key.empty()) settings.tls.key = settings.server.data_dir + "/tls/key.pem";
  if (settings.limits.max_literal_size == 0) {
    settings.limits.max_literal_size = settings.limits.max_message_size;
  }
  if (settings.smtp.hostname.empty()) settings.smtp.hostname = settings.server.hostname;
  if (settings.smtp.local_domains.empty()) settings.smtp.local_domains = {settings.smtp.hostname};
  if (settings.smtp.max_message_size == 0 ||
      settings.smtp.max_message_size > settings.limits.max_message_size) {
    // Ingest refuses anything over [limits] max_message_size, so SIZE never promises more.
    settings.smtp.max_message_size = settings.limits.max_message_size;
  }
  return ok();
}

Result<Settings> load_settings(const std::string& path, const Overrides& overrides) {
  Settings settings;
  std::string file = path;
  if (file.empty() && Env::real().exists("roost.toml")) file = "roost.toml";
  if (!file.empty()) {
    auto loaded = load_settings_file(file);
    if (!loaded) return loaded.error();
    settings = std::move(*loaded);
  }
  ROOST_TRY(apply_overrides(settings, overrides));
  ROOST_TRY(resolve(settings));
  return settings;
}

}  // namespace roost::config
