#pragma once
// Writes a file all or nothing: the data goes to a temporary file beside the target, which is
// fsync'ed and renamed over it only by commit(), so a reader never sees half a file and a crash
// or an error leaves any old file untouched. Optionally gzip-compressed on the fly.
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace eqt::data {

class AtomicOutputFile {
 public:
  // Fails (eqt::Error) when the temporary file cannot be created (e.g. missing directory).
  AtomicOutputFile(const std::filesystem::path& path, bool gzip);
  ~AtomicOutputFile();  // removes the temporary file unless committed
  AtomicOutputFile(const AtomicOutputFile&) = delete;
  AtomicOutputFile& operator=(const AtomicOutputFile&) = delete;

  void write(std::string_view data);
  // Finishes compression, flushes to disk, and renames onto the target path.
  void commit();

 private:
  struct Compressor;
  void write_raw(const char* data, std::size_t size);
  void compress(std::string_view data, bool finish);

  std::filesystem::path path_;
  std::string temp_path_;
  int fd_ = -1;
  std::unique_ptr<Compressor> gzip_;
  bool committed_ = false;
};

// True when the path names a gzip file (ends in ".gz").
bool has_gzip_extension(const std::filesystem::path& path);

}  // namespace eqt::data
