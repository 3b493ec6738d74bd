# fuzz targets are listed in fuzz/targets.cmake, one roost_fuzz_target() line each
