// Structured events: one line per event, "ts level event key=value ...".
// Handlers emit events, never free-form text. Thread-safe; lines reach stderr in order.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace roost::log {

enum class Level { Debug, Info, Warn, Error };

struct Field {
  std::string_view key;
  std::string value;
};

void set_min_level(Level level);
Level parse_level(std::string_view name, Level fallback);
void event(Level level, std::string_view name, std::initializer_list<Field> fields = {});
// Writes buffered lines now (they otherwise go out within ~20 ms, at once for warn and error,
// and at exit).
void flush();

inline void info(std::string_view name, std::initializer_list<Field> fields = {}) {
  event(Level::Info, name, fields);
}
inline void warn(std::string_view name, std::initializer_list<Field> fields = {}) {
  event(Level::Warn, name, fields);
}
inline void error(std::string_view name, std::initializer_list<Field> fields = {}) {
  event(Level::Error, name, fields);
}
inline void debug(std::string_view name, std::initializer_list<Field> fields = {}) {
  event(Level::Debug, name, fields);
}

}  // namespace roost::log
