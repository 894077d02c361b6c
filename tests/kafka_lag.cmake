# kafka_lag's tests (included by tests/CMakeLists.txt): unit tests with
# exporterbox_unit_test(), integration tests with add_test().
exporterbox_unit_test(kafka_lag)

# The mock cluster the integration tests and the scale run drive: librdkafka's
# own mock brokers (real Kafka protocol on loopback) with a known scenario.
pkg_check_modules(RDKAFKA REQUIRED IMPORTED_TARGET rdkafka)
add_executable(kafka_mock_cluster kafka/kafka_mock_cluster.c)
target_link_libraries(kafka_mock_cluster PRIVATE PkgConfig::RDKAFKA)

set(KAFKA_MOCK $<TARGET_FILE:kafka_mock_cluster>)
add_test(NAME integration_kafka COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/kafka_e2e.sh
  ${BIN} ${KAFKA_MOCK})
add_test(NAME integration_kafka_faults
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/kafka_faults.sh ${BIN} ${KAFKA_MOCK})
set_tests_properties(integration_kafka integration_kafka_faults PROPERTIES SKIP_RETURN_CODE 77)

# Hostile brokers (tests/integration/fake_kafka.py in front of the mock
# cluster) and --sasl.password-file against a fake SASL/PLAIN broker.
add_test(NAME integration_kafka_misbehave
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/misbehave_kafka.sh ${BIN} ${KAFKA_MOCK})
add_test(NAME integration_kafka_sasl_file
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/kafka_sasl_file.sh ${BIN})
set_tests_properties(integration_kafka_misbehave integration_kafka_sasl_file PROPERTIES
  SKIP_RETURN_CODE 77)

# Group listing and kafka_consumergroup_members against a fake one-broker
# cluster that answers ListGroups/DescribeGroups (fake_kafka.py "groups"),
# which the mock cluster cannot.
add_test(NAME integration_kafka_members
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/kafka_members.sh ${BIN})
set_tests_properties(integration_kafka_members PROPERTIES SKIP_RETURN_CODE 77)
