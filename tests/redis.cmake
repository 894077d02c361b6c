# redis's tests (included by tests/CMakeLists.txt): unit tests with
# exporterbox_unit_test(), integration tests with add_test().
exporterbox_unit_test(redis_info)

# End to end against real redis-servers the scripts start (skipped, exit 77,
# when redis-server, promtool or the Go exporter is missing).
add_test(NAME integration_redis COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/redis_e2e.sh ${BIN})
set_tests_properties(integration_redis PROPERTIES SKIP_RETURN_CODE 77)
add_test(NAME parity_redis COMMAND ${Python3_EXECUTABLE}
  ${CMAKE_CURRENT_SOURCE_DIR}/integration/parity_redis.py ${BIN})
set_tests_properties(parity_redis PROPERTIES SKIP_RETURN_CODE 77)
# A real redis-server with a million keys (DEBUG POPULATE): exact
# --count-keys, --check-keys cut at the deadline with bounded memory.
add_test(NAME integration_redis_many_keys COMMAND
  ${CMAKE_CURRENT_SOURCE_DIR}/integration/redis_many_keys.sh ${BIN})
set_tests_properties(integration_redis_many_keys PROPERTIES SKIP_RETURN_CODE 77)
