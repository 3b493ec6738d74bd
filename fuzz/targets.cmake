# fuzz targets are listed in fuzz/targets.cmake, one roost_fuzz_target() line each
roost_fuzz_target(line_reader line_reader_fuzz.cc roost_net_proto)
roost_fuzz_target(literal_reader literal_reader_fuzz.cc roost_net_proto)
roost_fuzz_target(mime mime_fuzz.cc roost_mime)
roost_fuzz_target(imap_command imap_command_fuzz.cc roost_imap_proto)
roost_fuzz_target(pop3_command pop3_command_fuzz.cc roost_pop3_proto)
roost_fuzz_target(smtp_reply smtp_reply_fuzz.cc roost_queue_proto)
roost_fuzz_target(smtp_command smtp_command_fuzz.cc roost_smtp_proto)
