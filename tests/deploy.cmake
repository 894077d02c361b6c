# Deployment files (docker/, included by tests/CMakeLists.txt): the Prometheus
# and Alertmanager configuration checked and unit-tested with promtool and
# amtool, and the container image built and run with podman.
add_test(NAME deploy_prometheus COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/deploy/prometheus_check.sh
  ${CMAKE_SOURCE_DIR})
add_test(NAME deploy_alertmanager COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/deploy/alertmanager_check.sh
  ${CMAKE_SOURCE_DIR})
# docker-compose.yml against the files it mounts and the applets it runs.
add_test(NAME deploy_compose COMMAND ${Python3_EXECUTABLE}
  ${CMAKE_CURRENT_SOURCE_DIR}/deploy/compose_check.py ${CMAKE_SOURCE_DIR} $<TARGET_FILE:exporterbox>)
# The shipped files run for real: Prometheus scraping our four applets
# against real servers (PostgreSQL, redis-server, librdkafka's mock cluster,
# this host), every series the rules use checked, and the alerts driven to
# firing and delivered by Alertmanager's routing tree to a local webhook.
# The mock cluster helper comes with the kafka-lag applet's tests (included
# before this file); without it the kafka part is skipped.
set(DEPLOY_KAFKA_MOCK "")
if(TARGET kafka_mock_cluster)
  set(DEPLOY_KAFKA_MOCK $<TARGET_FILE:kafka_mock_cluster>)
endif()
add_test(NAME deploy_alerts_e2e COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/deploy/alerts_e2e.sh
  $<TARGET_FILE:exporterbox> ${CMAKE_SOURCE_DIR} ${DEPLOY_KAFKA_MOCK})
# Bounded: every wait in the script is, and the whole run takes a minute or two.
set_tests_properties(deploy_alerts_e2e PROPERTIES TIMEOUT 600)
set_tests_properties(deploy_prometheus deploy_alertmanager deploy_compose deploy_alerts_e2e PROPERTIES
  SKIP_RETURN_CODE 77 LABELS deploy)

# Builds docker/Dockerfile (its build stage compiles and runs the unit tests)
# and runs every applet from the image: minutes, so label "slow" (run it with
# `ctest -L container`, leave it out with `-LE slow`). It does not use this
# build tree, so only the plain build registers it, not the sanitizer ones.
if(NOT EXPORTERBOX_SANITIZE AND NOT EXPORTERBOX_TSAN)
  add_test(NAME container_build COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/container_build.sh
    ${CMAKE_SOURCE_DIR} ${DEPLOY_KAFKA_MOCK})
  set_tests_properties(container_build PROPERTIES
    SKIP_RETURN_CODE 77 LABELS "container;slow" TIMEOUT 1800)
endif()
