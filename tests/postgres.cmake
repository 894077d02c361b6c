# postgres's tests (included by tests/CMakeLists.txt): unit tests with
# exporterbox_unit_test(), integration tests with add_test().
exporterbox_unit_test(pg_units)
exporterbox_unit_test(pg_yaml)
exporterbox_unit_test(pg_features)
target_compile_options(test_pg_units PRIVATE
  "SHELL:-iquote ${CMAKE_SOURCE_DIR}/exporters/postgres")
target_compile_options(test_pg_yaml PRIVATE
  "SHELL:-iquote ${CMAKE_SOURCE_DIR}/exporters/postgres")
target_compile_options(test_pg_features PRIVATE
  "SHELL:-iquote ${CMAKE_SOURCE_DIR}/exporters/postgres")

# Real PostgreSQL 15 servers (primary + streaming replica), started by the
# script in a temp dir; skipped (77) only when the server binaries are missing.
add_test(NAME integration_postgres COMMAND
  ${CMAKE_CURRENT_SOURCE_DIR}/integration/pg_e2e.sh $<TARGET_FILE:exporterbox>)
set_tests_properties(integration_postgres PROPERTIES SKIP_RETURN_CODE 77)
# Parity oracle: Debian's postgres_exporter 0.11.1 on the same server.
add_test(NAME parity_postgres COMMAND ${Python3_EXECUTABLE}
  ${CMAKE_CURRENT_SOURCE_DIR}/integration/parity_postgres.py $<TARGET_FILE:exporterbox>)
set_tests_properties(parity_postgres PROPERTIES SKIP_RETURN_CODE 77)
# upstream's extras: --auto-discover-databases, several DSNs, --constantLabels,
# --metric-prefix, the PG_EXPORTER_* twins, /probe target eviction.
add_test(NAME integration_postgres_features COMMAND
  ${CMAKE_CURRENT_SOURCE_DIR}/integration/pg_features_e2e.sh $<TARGET_FILE:exporterbox>)
set_tests_properties(integration_postgres_features PROPERTIES SKIP_RETURN_CODE 77)
