#pragma once
// Writes a file all or nothing through io::AtomicFile (temporary file beside the target, fsync,
// rename by commit()), so a reader never sees half a file and a crash or an error leaves any old
// file untouched. Optionally gzip-compressed on the fly.
#include <filesystem>
#include <memory>
#include <string_view>

#include "eqt/io/atomic_file.h"

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
  void compress(std::string_view data, bool finish);

  io::AtomicFile file_;
  std::unique_ptr<Compressor> gzip_;
};

// True when the path names a gzip file (ends in ".gz").
bool has_gzip_extension(const std::filesystem::path& path);

}  // namespace eqt::data
