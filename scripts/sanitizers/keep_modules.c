/* LD_PRELOADed by scripts/sanitize.sh: dlclose() does nothing, so shared objects stay mapped until
 * the process ends. Open MPI dlopens its components (mca_*.so) and dlcloses them in MPI_Finalize;
 * LeakSanitizer, which looks for leaks after that, then sees "<unknown module>" frames and counts the
 * memory held by the closed components' globals as leaked. With the modules kept, every report
 * names its library, and lsan.supp can suppress Open MPI's own leaks by library name while eqt's
 * code stays checked. The process ends right after; nothing else relies on the unmapping. */
int dlclose(void *handle) {
  (void)handle;
  return 0;
}
