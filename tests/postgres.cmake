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
# Misbehaving servers (tests/integration/fake_postgres.py in front of a real
# PostgreSQL 15): silent, garbage, mid-reply close, endless rows, a 1 GiB
# field, a dribbled reply; HTTP 200 by the deadline, bounded peak RSS.
add_test(NAME misbehave_postgres COMMAND
  ${CMAKE_CURRENT_SOURCE_DIR}/integration/misbehave_postgres.sh $<TARGET_FILE:exporterbox>)
set_tests_properties(misbehave_postgres PROPERTIES SKIP_RETURN_CODE 77)
# The query path on a real server: statements prepared once per connection,
# re-prepared after a reconnect, a changed result type run as a simple query,
# the result cap on a real result, and the simple-query fallback behind a
# real PgBouncer in transaction mode (that part skipped without pgbouncer).
add_test(NAME pg_query_path COMMAND
  ${CMAKE_CURRENT_SOURCE_DIR}/integration/pg_query_path.sh $<TARGET_FILE:exporterbox>)
set_tests_properties(pg_query_path PROPERTIES SKIP_RETURN_CODE 77)
# 300 databases (PG_DATABASES to change): every collector succeeds, every
# database has its series, promtool passes. Creating them takes ~5 s on an
# idle machine but 60-100 s under parallel load (a checkpoint per database),
# so it is labelled slow (leave it out with `-LE slow`).
add_test(NAME pg_many_databases COMMAND
  ${CMAKE_CURRENT_SOURCE_DIR}/integration/pg_many_databases.sh $<TARGET_FILE:exporterbox>)
set_tests_properties(pg_many_databases PROPERTIES SKIP_RETURN_CODE 77 LABELS slow TIMEOUT 900)
# upstream's extras: --auto-discover-databases, several DSNs, --constantLabels,
# --metric-prefix, the PG_EXPORTER_* twins, /probe target eviction.
add_test(NAME integration_postgres_features COMMAND
  ${CMAKE_CURRENT_SOURCE_DIR}/integration/pg_features_e2e.sh $<TARGET_FILE:exporterbox>)
set_tests_properties(integration_postgres_features PROPERTIES SKIP_RETURN_CODE 77)
