# Installs the Baton build into a scratch prefix, then configures and builds app/example as a
# separate project that finds it with find_package(Baton) and links Baton::core, and runs it.
file(REMOVE_RECURSE "${WORK_DIR}")
execute_process(COMMAND ${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${WORK_DIR}/prefix"
                --component Unspecified RESULT_VARIABLE rc OUTPUT_QUIET)
if(rc)
    message(FATAL_ERROR "install failed: ${rc}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -S "${SOURCE_DIR}" -B "${WORK_DIR}/build" -G Ninja
                "-DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix" RESULT_VARIABLE rc)
if(rc)
    message(FATAL_ERROR "configuring a consumer of Baton::core failed: ${rc}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build "${WORK_DIR}/build" RESULT_VARIABLE rc)
if(rc)
    message(FATAL_ERROR "building a consumer of Baton::core failed: ${rc}")
endif()
execute_process(COMMAND "${WORK_DIR}/build/baton-example" RESULT_VARIABLE rc OUTPUT_VARIABLE out)
if(rc OR NOT out MATCHES "node-b: this instance is now the leader")
    message(FATAL_ERROR "the consumer did not run as expected (${rc}):\n${out}")
endif()
message(STATUS "find_package(Baton) consumer built and ran:\n${out}")
