#pragma once
// Writes a file all or nothing through io::AtomicFile (temporary file beside the target, fsync,
// rename by commit()), so a reader never sees half a file and a crash or an error leaves any old
// file untouched. Optionally gzip-compressed on the fly.
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "eqt/io/atomic_file.h"

namespace eqt::data {

class AtomicOutputFile {
 public:
  // Fails (eqt::Error) when the temporary file cannot be created (e.g. missing directory).
  AtomicOutputFile(const std::filesystem::path& path, bool gzip);
  // Continues the temporary file `temp_name` of an earlier, killed process from `size` bytes (what
  // its checkpoint() returned); see io::AtomicFile.
  AtomicOutputFile(const std::filesystem::path& path, bool gzip, const std::string& temp_name, uint64_t size);
  ~AtomicOutputFile();  // removes the temporary file unless committed
  AtomicOutputFile(const AtomicOutputFile&) = delete;
  AtomicOutputFile& operator=(const AtomicOutputFile&) = delete;

  void write(std::string_view data);
  // A point to continue from: ends the gzip member (a gzip file may hold several; readers join
  // them), fsyncs, and returns the size of the temporary file. The bytes written are the same
  // whether or not the run was continued from an earlier checkpoint.
  uint64_t checkpoint();
  std::string temp_name() const { return file_.temp_name(); }
  // Finishes compression, flushes to disk, and renames onto the target path.
  void commit();

 private:
  struct Compressor;
  void start_gzip();
  void compress(std::string_view data, bool finish);

  io::AtomicFile file_;
  std::unique_ptr<Compressor> gzip_;
};

// True when the path names a gzip file (ends in ".gz").
bool has_gzip_extension(const std::filesystem::path& path);

}  // namespace eqt::data
