// The web UI's files, gzip-compressed and embedded into the plugin at build time
// (cmake/EmbedAssets.cmake generates the table). Immutable and thread-safe.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "nanotdb/status.h"

namespace nanotdb::ui {

struct EmbeddedAsset {
  const char* path;          // URL path: "/assets/js/dashboard.js"; pages are "/page/<name>.html"
  const char* content_type;  // "text/javascript; charset=utf-8"
  const unsigned char* gz;   // gzip stream of the file
  std::size_t gz_size;
  std::size_t size;  // uncompressed bytes
  const char* etag;  // quoted, from the file's SHA-1: "\"1f3a...\""
};

extern const EmbeddedAsset kEmbeddedAssets[];
extern const std::size_t kEmbeddedAssetCount;

// nullptr when no asset has exactly this path.
const EmbeddedAsset* FindAsset(std::string_view path);
std::span<const EmbeddedAsset> AllAssets();

// The asset's original bytes (for clients that do not accept gzip, and for templates).
Result<std::string> Gunzip(const EmbeddedAsset& asset);

}  // namespace nanotdb::ui
