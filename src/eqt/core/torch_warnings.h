#pragma once
// LibTorch's TORCH_WARN goes through glog in Debian's build, which prints "Logging before
// InitGoogleLogging() is written to STDERR" and the C++ source location before each message,
// and some notices (e.g. "scatter_reduce() is in beta") say nothing a user can act on. eqt's front
// ends install this handler at start: known notices are dropped, any other warning is printed
// once, as one "eqt: LibTorch warning: ..." line on stderr.
namespace eqt {

void install_torch_warning_handler();

}  // namespace eqt
