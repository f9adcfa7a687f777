#pragma once
// Drawing with Debian's gnuplot (package gnuplot-nox, pngcairo terminal): eqt writes a data file
// and a script, and runs the gnuplot executable on it. The scripts stay beside the plots, so a
// user can restyle a figure without eqt.
#include <filesystem>
#include <optional>
#include <string>

#include "eqt/core/error.h"

namespace eqt::train {

// Thrown when no gnuplot executable can be found, so callers can still keep what they computed.
class PlotToolMissing : public Error {
 public:
  using Error::Error;
};

// $EQT_GNUPLOT when set (it must then be an executable file), else `gnuplot` on $PATH.
std::optional<std::filesystem::path> find_gnuplot();

// Runs `script` with gnuplot, which must write its figure to `temporary_png`; that file is then
// renamed onto `png`, so a failed run never leaves half a figure. Throws PlotToolMissing when
// gnuplot is not installed, eqt::Error (with gnuplot's messages) when it fails.
void run_gnuplot(const std::filesystem::path& script, const std::filesystem::path& temporary_png,
                 const std::filesystem::path& png);

// Text as a gnuplot single-quoted string literal.
std::string gnuplot_quote(const std::string& text);

}  // namespace eqt::train
