// eqt_lammps_plugin.so: pair style eqt for a LAMMPS that has the PLUGIN package (`plugin load
// build/eqt_lammps_plugin.so`), built against that LAMMPS version's headers. It registers the same
// PairEQT as eqt-lammps does, through LAMMPS's plugin interface (src/PLUGIN/lammpsplugin.h).
#include "lammpsplugin.h"
#include "version.h"

#include "eqt/core/allocator.h"
#include "eqt/core/torch_warnings.h"
#include "pair_eqt.h"

namespace {

LAMMPS_NS::Pair *create_pair_eqt(LAMMPS_NS::LAMMPS *lmp) { return new LAMMPS_NS::PairEQT(lmp); }

}  // namespace

extern "C" void lammpsplugin_init(void *lmp, void *handle, void *regfunc)
{
  eqt::install_torch_warning_handler();
  eqt::keep_freed_memory_for_reuse();
  lammpsplugin_t plugin;
  plugin.version = LAMMPS_VERSION;  // LAMMPS warns when it differs from its own
  plugin.style = "pair";
  plugin.name = "eqt";
  plugin.info = "eqt pair style: Equiformer, PET and ECSE models (https://github.com/eqt)";
  plugin.author = "eqt developers";
  plugin.creator.v1 = (lammpsplugin_factory1 *) &create_pair_eqt;
  plugin.handle = handle;
  (*(lammpsplugin_regfunc) regfunc)(&plugin, lmp);
}
