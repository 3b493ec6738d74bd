#include "store/sqlite/flag_snapshot.h"

#include <unistd.h>

#include <atomic>
#include <cstring>

namespace roost::store::sqlite {
namespace {

constexpr char kMagic[8] = {'R', 'O', 'O', 'S', 'T', 'F', 'T', '1'};

// Fixed part; then uids, system flags and keyword-set indexes (count x u32 each), the lengths of
// sets 1.. (u32 each), their texts, and a checksum of everything before it (u64). Native byte
// order: the file never leaves the machine that wrote it.
struct Header {
  char magic[8];
  int64_t mailbox;
  uint64_t modseq;
  uint32_t uidvalidity;
  uint32_t count;
  uint32_t sets;  // including [0] = no keywords
  uint32_t set_bytes;
};

// A torn or damaged file, not an adversary: a fast mix over 8-byte words.
uint64_t checksum(std::string_view bytes) {
  uint64_t h = 0x243f6a8885a308d3ull ^ bytes.size();
  size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, bytes.data() + i, 8);
    h = (h ^ w) * 0x9e3779b97f4a7c15ull;
    h ^= h >> 31;
  }
  for (; i < bytes.size(); ++i) h = (h ^ static_cast<unsigned char>(bytes[i])) * 0x100000001b3ull;
  return h;
}

template <class T>
void put(std::string& out, const T& value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof value);
}

template <class T>
void put_all(std::string& out, const std::vector<T>& values) {
  out.append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
}

// Reads `n` values of T at `at`, advancing it; false past the end.
template <class T>
bool take(std::string_view bytes, size_t& at, size_t n, std::vector<T>& out) {
  if (n > (bytes.size() - at) / sizeof(T)) return false;
  out.resize(n);
  if (n != 0) std::memcpy(out.data(), bytes.data() + at, n * sizeof(T));
  at += n * sizeof(T);
  return true;
}

}  // namespace

uint32_t FlagRows::intern(std::string_view text,
                          std::unordered_map<std::string, uint32_t>& index) {
  if (text.empty()) return 0;
  if (index.empty()) {
    for (uint32_t i = 1; i < set_texts.size(); ++i) index.emplace(set_texts[i], i);
  }
  auto [it, added] = index.try_emplace(std::string(text), static_cast<uint32_t>(set_texts.size()));
  if (added) set_texts.emplace_back(text);
  return it->second;
}

std::string flag_snapshot_path(const std::string& data_dir, MailboxId mailbox) {
  return data_dir + "/views/" + std::to_string(mailbox) + ".flags";
}

Status write_flag_snapshot(Env& env, const std::string& path, const SnapshotKey& key,
                           ModSeq modseq, const FlagRows& rows) {
  Header h{};
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.mailbox = key.mailbox;
  h.modseq = modseq;
  h.uidvalidity = key.uidvalidity;
  h.count = static_cast<uint32_t>(rows.uids.size());
  h.sets = static_cast<uint32_t>(rows.set_texts.size());
  std::vector<uint32_t> lengths;
  for (size_t i = 1; i < rows.set_texts.size(); ++i) {
    lengths.push_back(static_cast<uint32_t>(rows.set_texts[i].size()));
    h.set_bytes += lengths.back();
  }
  std::string out;
  out.reserve(sizeof h + 12 * rows.uids.size() + 4 * lengths.size() + h.set_bytes + 8);
  put(out, h);
  put_all(out, rows.uids);
  put_all(out, rows.system);
  put_all(out, rows.keyword_set);
  put_all(out, lengths);
  for (size_t i = 1; i < rows.set_texts.size(); ++i) out += rows.set_texts[i];
  put(out, checksum(out));

  static std::atomic<uint64_t> serial{0};
  std::string tmp = path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(++serial);
  ROOST_TRY(env.make_dirs(path.substr(0, path.rfind('/'))));
  auto file = env.create_file(tmp);
  if (!file) return file.error();
  Status st = (*file)->append(out);
  if (st) st = (*file)->close();
  if (st) st = env.rename(tmp, path);
  if (!st) (void)env.remove(tmp);
  return st;
}

std::optional<FlagSnapshot> read_flag_snapshot(Env& env, const std::string& path,
                                               const SnapshotKey& key) {
  auto file = env.map_file(path);
  if (!file) return std::nullopt;
  std::string_view bytes = (*file)->bytes();
  Header h;
  if (bytes.size() < sizeof h + 8) return std::nullopt;
  std::memcpy(&h, bytes.data(), sizeof h);
  if (std::memcmp(h.magic, kMagic, sizeof kMagic) != 0 || h.mailbox != key.mailbox ||
      h.uidvalidity != key.uidvalidity || h.sets == 0) {
    return std::nullopt;
  }
  uint64_t stored;
  std::memcpy(&stored, bytes.data() + bytes.size() - 8, 8);
  std::string_view body = bytes.substr(0, bytes.size() - 8);
  if (checksum(body) != stored) return std::nullopt;

  FlagSnapshot out;
  out.modseq = h.modseq;
  FlagRows& rows = out.rows;
  size_t at = sizeof h;
  std::vector<uint32_t> lengths;
  if (!take(body, at, h.count, rows.uids) || !take(body, at, h.count, rows.system) ||
      !take(body, at, h.count, rows.keyword_set) || !take(body, at, h.sets - 1, lengths) ||
      body.size() - at != h.set_bytes) {
    return std::nullopt;
  }
  rows.set_texts.resize(h.sets);
  for (size_t i = 1; i < h.sets; ++i) {
    if (lengths[i - 1] > body.size() - at) return std::nullopt;
    rows.set_texts[i].assign(body.substr(at, lengths[i - 1]));
    at += lengths[i - 1];
  }
  for (size_t i = 0; i < h.count; ++i) {
    if (rows.keyword_set[i] >= h.sets || (i > 0 && rows.uids[i] <= rows.uids[i - 1])) {
      return std::nullopt;
    }
  }
  return out;
}

std::optional<FlagRows> apply_changes(FlagRows old, const std::vector<ChangedRow>& changed,
                                      const std::vector<Uid>& expunged, size_t expected) {
  if (changed.empty() && expunged.empty()) {
    if (old.uids.size() != expected) return std::nullopt;
    return old;
  }
  FlagRows out;
  out.set_texts = std::move(old.set_texts);
  std::unordered_map<std::string, uint32_t> sets;
  out.uids.reserve(expected);
  out.system.reserve(expected);
  out.keyword_set.reserve(expected);
  auto gone = expunged.begin();
  auto next = changed.begin();
  auto add_changed = [&] {
    out.uids.push_back(next->uid);
    out.system.push_back(next->system);
    out.keyword_set.push_back(out.intern(next->keywords, sets));
    ++next;
  };
  for (size_t i = 0; i < old.uids.size(); ++i) {
    Uid uid = old.uids[i];
    while (next != changed.end() && next->uid < uid) add_changed();
    if (next != changed.end() && next->uid == uid) {
      add_changed();
      continue;
    }
    while (gone != expunged.end() && *gone < uid) ++gone;
    if (gone != expunged.end() && *gone == uid) continue;
    out.uids.push_back(uid);
    out.system.push_back(old.system[i]);
    out.keyword_set.push_back(old.keyword_set[i]);
  }
  while (next != changed.end()) add_changed();
  if (out.uids.size() != expected) return std::nullopt;
  // Sets no message has any more go: FLAGS at SELECT names the keywords in use.
  std::vector<uint32_t> remap(out.set_texts.size(), 0);
  for (uint32_t set : out.keyword_set) remap[set] = 1;
  remap[0] = 0;
  std::vector<std::string> kept{std::string()};
  for (size_t i = 1; i < out.set_texts.size(); ++i) {
    if (remap[i] == 0) continue;
    remap[i] = static_cast<uint32_t>(kept.size());
    kept.push_back(std::move(out.set_texts[i]));
  }
  if (kept.size() != out.set_texts.size()) {
    for (uint32_t& set : out.keyword_set) set = remap[set];
  }
  out.set_texts = std::move(kept);
  return out;
}

}  // namespace roost::store::sqlite
