# one line per test group; each helper adds its own include/add_subdirectory here
