#pragma once
// The one atomic-write primitive. The bytes go to a temporary file beside the target (NAME.tmp.XXXXXX:
// same directory, hence same file system); commit() flushes it to disk (fsync), renames it over the
// target and fsyncs the directory. A reader never sees half a file, and a crash or an error
// leaves any old file untouched: an uncommitted temporary is removed by the destructor.
// Used by data::AtomicOutputFile (extxyz, logs, optionally gzip), io::write_safetensors and
// models::save_model.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace eqt::io {

class AtomicFile {
 public:
  // Fails (eqt::Error) when the temporary file cannot be created (e.g. missing directory).
  explicit AtomicFile(const std::filesystem::path& path);
  // Continues an uncommitted temporary file left by an earlier process (a killed `eqt md` run,
  // md/restart.h): `temp_name` must be a NAME.tmp.XXXXXX file name beside `path` (anything else
  // is refused, so a restart file cannot make eqt truncate another file); it is truncated to
  // `size` bytes (what sync() returned then) and written on from there. Fails (eqt::Error) when it
  // is missing or shorter than `size`.
  AtomicFile(const std::filesystem::path& path, const std::string& temp_name, uint64_t size);
  ~AtomicFile();  // removes the temporary file unless committed
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(std::string_view data);
  // fsync of what was written so far (the file stays open and uncommitted); returns its size in
  // bytes, the offset a later process can continue from (constructor above).
  uint64_t sync();
  // The temporary file's name (no directory).
  std::string temp_name() const;
  // fsync, close, rename onto the target path, fsync the directory. Idempotent.
  void commit();
  bool committed() const { return committed_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  std::string temp_path_;
  int fd_ = -1;
  bool committed_ = false;
};

// AtomicFile in one call: `bytes` become the whole content of `path`.
void write_file_atomically(const std::filesystem::path& path, std::string_view bytes);

// fsync of a directory, so that renames and new entries in it survive a crash. Best effort: some
// file systems refuse to open directories.
void sync_directory(const std::filesystem::path& directory);

}  // namespace eqt::io
