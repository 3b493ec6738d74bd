# one line per test group; each helper adds its own include/add_subdirectory here
add_subdirectory(cli)
add_subdirectory(crash)
add_subdirectory(import)
add_subdirectory(store)
add_subdirectory(devrun)
add_subdirectory(imap)
add_subdirectory(pop3)
add_subdirectory(smtp)
