#include "assets.h"

#include <zlib.h>

namespace nanotdb::ui {

std::span<const EmbeddedAsset> AllAssets() { return {kEmbeddedAssets, kEmbeddedAssetCount}; }

const EmbeddedAsset* FindAsset(std::string_view path) {
  for (const EmbeddedAsset& a : AllAssets()) {
    if (path == a.path) return &a;
  }
  return nullptr;
}

Result<std::string> Gunzip(const EmbeddedAsset& asset) {
  std::string out(asset.size, '\0');
  z_stream zs{};
  // 16 + MAX_WBITS: expect a gzip header and trailer.
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
    return Status::Internal("zlib inflateInit2 failed for asset " + std::string(asset.path));
  }
  zs.next_in = const_cast<Bytef*>(asset.gz);
  zs.avail_in = static_cast<uInt>(asset.gz_size);
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = inflate(&zs, Z_FINISH);
  size_t produced = zs.total_out;
  inflateEnd(&zs);
  if (rc != Z_STREAM_END || produced != asset.size) {
    return Status::Corruption("embedded asset " + std::string(asset.path) +
                              " does not decompress to its recorded size; rebuild the plugin");
  }
  return out;
}

}  // namespace nanotdb::ui
