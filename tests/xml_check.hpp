#pragma once
// A small XML well-formedness checker for the SVG tests, so they do not
// depend on xmllint being installed: one root element, balanced and
// correctly nested tags, quoted and unique attributes, only the five
// predefined entities and character references, no stray '<' or '&', valid
// UTF-8. It also returns every element with its attributes and decoded text,
// so tests can find the labels. (No DTDs or CDATA: our SVG has none.)
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace xml_check {

struct Element {
  std::string name;
  std::map<std::string, std::string> attributes;  // values decoded
  std::string text;                               // direct character data, decoded
};

struct Document {
  std::vector<Element> elements;  // in document order
  std::string error;              // "" when well-formed
  bool ok() const { return error.empty(); }
  std::vector<const Element*> all(std::string_view name) const {
    std::vector<const Element*> out;
    for (const auto& e : elements)
      if (e.name == name) out.push_back(&e);
    return out;
  }
};

namespace detail {

inline bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t extra = c < 0x80           ? 0
                              : (c >> 5) == 0x6  ? 1
                              : (c >> 4) == 0xE  ? 2
                              : (c >> 3) == 0x1E ? 3
                                                 : 9;
    if (extra == 9 || i + extra >= s.size()) return false;
    for (std::size_t k = 1; k <= extra; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += extra + 1;
  }
  return true;
}

inline bool name_start(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == ':';
}
inline bool name_char(char c) {
  return name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}
inline bool space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

inline void append_utf8(std::string& out, unsigned long cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Decodes character data; "" error when fine. '<' is rejected by the caller.
inline std::string decode(std::string_view s, std::string& out) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    const std::size_t end = s.find(';', i);
    if (end == std::string_view::npos) return "'&' without ';'";
    const std::string_view ref = s.substr(i + 1, end - i - 1);
    if (ref == "amp")
      out += '&';
    else if (ref == "lt")
      out += '<';
    else if (ref == "gt")
      out += '>';
    else if (ref == "quot")
      out += '"';
    else if (ref == "apos")
      out += '\'';
    else if (ref.size() > 1 && ref[0] == '#') {
      const bool hex = ref[1] == 'x';
      const std::string digits(ref.substr(hex ? 2 : 1));
      if (digits.empty() || digits.find_first_not_of(hex ? "0123456789abcdefABCDEF"
                                                         : "0123456789") != std::string::npos)
        return "bad character reference &" + std::string(ref) + ";";
      append_utf8(out, std::strtoul(digits.c_str(), nullptr, hex ? 16 : 10));
    } else {
      return "unknown entity &" + std::string(ref) + ";";
    }
    i = end;
  }
  return "";
}

}  // namespace detail

inline Document parse(std::string_view s) {
  using namespace detail;
  Document doc;
  const auto fail = [&](std::size_t at, const std::string& why) {
    doc.error = why + " at byte " + std::to_string(at);
    return doc;
  };
  if (!valid_utf8(s)) return fail(0, "invalid UTF-8");
  std::size_t i = 0;
  if (s.substr(0, 5) == "<?xml") {
    i = s.find("?>");
    if (i == std::string_view::npos) return fail(0, "unterminated XML declaration");
    i += 2;
  }
  std::vector<std::size_t> open;  // indexes into doc.elements
  bool root_seen = false, root_closed = false;
  while (i < s.size()) {
    if (s[i] != '<') {
      const std::size_t end = std::min(s.find('<', i), s.size());
      const std::string_view text = s.substr(i, end - i);
      if (open.empty()) {
        for (const char c : text)
          if (!space(c)) return fail(i, "text outside the root element");
      } else {
        std::string decoded;
        const std::string why = decode(text, decoded);
        if (!why.empty()) return fail(i, why);
        doc.elements[open.back()].text += decoded;
      }
      i = end;
      continue;
    }
    if (s.substr(i, 4) == "<!--") {
      const std::size_t end = s.find("-->", i + 4);
      if (end == std::string_view::npos) return fail(i, "unterminated comment");
      i = end + 3;
      continue;
    }
    if (s.substr(i, 2) == "</") {
      std::size_t k = i + 2;
      while (k < s.size() && name_char(s[k])) ++k;
      const std::string name(s.substr(i + 2, k - i - 2));
      while (k < s.size() && space(s[k])) ++k;
      if (k >= s.size() || s[k] != '>') return fail(i, "bad end tag");
      if (open.empty() || doc.elements[open.back()].name != name)
        return fail(i, "end tag </" + name + "> does not match the open element");
      open.pop_back();
      if (open.empty()) root_closed = true;
      i = k + 1;
      continue;
    }
    // Start tag.
    if (root_closed) return fail(i, "a second root element");
    std::size_t k = i + 1;
    if (k >= s.size() || !name_start(s[k])) return fail(i, "'<' not starting a tag");
    while (k < s.size() && name_char(s[k])) ++k;
    Element e;
    e.name = std::string(s.substr(i + 1, k - i - 1));
    bool self_closing = false;
    for (;;) {
      const std::size_t before = k;
      while (k < s.size() && space(s[k])) ++k;
      if (k >= s.size()) return fail(i, "unterminated start tag");
      if (s[k] == '>') {
        ++k;
        break;
      }
      if (s.substr(k, 2) == "/>") {
        k += 2;
        self_closing = true;
        break;
      }
      if (k == before) return fail(k, "attributes must be separated by white space");
      if (!name_start(s[k])) return fail(k, "bad attribute name");
      const std::size_t name_begin = k;
      while (k < s.size() && name_char(s[k])) ++k;
      const std::string attr(s.substr(name_begin, k - name_begin));
      while (k < s.size() && space(s[k])) ++k;
      if (k >= s.size() || s[k] != '=') return fail(k, "attribute " + attr + " without '='");
      ++k;
      while (k < s.size() && space(s[k])) ++k;
      if (k >= s.size() || (s[k] != '"' && s[k] != '\''))
        return fail(k, "unquoted attribute " + attr);
      const char quote = s[k];
      const std::size_t end = s.find(quote, k + 1);
      if (end == std::string_view::npos) return fail(k, "unterminated attribute " + attr);
      const std::string_view raw = s.substr(k + 1, end - k - 1);
      if (raw.find('<') != std::string_view::npos) return fail(k, "'<' in attribute " + attr);
      std::string value;
      const std::string why = decode(raw, value);
      if (!why.empty()) return fail(k, why);
      if (!e.attributes.emplace(attr, value).second) return fail(k, "duplicate attribute " + attr);
      k = end + 1;
    }
    root_seen = true;
    doc.elements.push_back(std::move(e));
    if (!self_closing)
      open.push_back(doc.elements.size() - 1);
    else if (open.empty())
      root_closed = true;
    i = k;
  }
  if (!root_seen) return fail(s.size(), "no root element");
  if (!open.empty())
    return fail(s.size(), "unclosed element <" + doc.elements[open.back()].name + ">");
  return doc;
}

}  // namespace xml_check
