# redis's tests (included by tests/CMakeLists.txt): unit tests with
# exporterbox_unit_test(), integration tests with add_test().
