// Case folding for SEARCH string matching (RFC 9051 §6.4.4: "case-insensitive substring").
// ICU-free: ASCII, Latin-1 Supplement, Latin Extended-A, basic Greek and Cyrillic capitals fold
// to lower case; everything else compares as is. Input is UTF-8 (invalid bytes pass through).
#pragma once

#include <string>
#include <string_view>

namespace roost::imap {

// Lower-cased copy of `utf8` per the table above.
std::string fold_case(std::string_view utf8);
// Appends fold_case(utf8) to out.
void append_folded(std::string_view utf8, std::string& out);

// True when `folded_needle` (already folded) occurs in fold_case(haystack). Empty needle matches.
// An ASCII needle is found without folding (or copying) the haystack.
bool contains_folded(std::string_view haystack, std::string_view folded_needle);
// The same for a needle of lower-case ASCII only (any haystack).
bool contains_ascii_folded(std::string_view haystack, std::string_view needle);

}  // namespace roost::imap
