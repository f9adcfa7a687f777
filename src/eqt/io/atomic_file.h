#pragma once
// The one atomic-write primitive. The bytes go to a temporary file beside the target (NAME.tmp.XXXXXX:
// same directory, hence same file system); commit() flushes it to disk (fsync), renames it over the
// target and fsyncs the directory. A reader never sees half a file, and a crash or an error
// leaves any old file untouched: an uncommitted temporary is removed by the destructor.
// Used by data::AtomicOutputFile (extxyz, logs, optionally gzip), io::write_safetensors and
// models::save_model.
#include <filesystem>
#include <string>
#include <string_view>

namespace eqt::io {

class AtomicFile {
 public:
  // Fails (eqt::Error) when the temporary file cannot be created (e.g. missing directory).
  explicit AtomicFile(const std::filesystem::path& path);
  ~AtomicFile();  // removes the temporary file unless committed
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(std::string_view data);
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
