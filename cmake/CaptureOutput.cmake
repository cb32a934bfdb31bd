# Runs PROGRAM with ARGUMENTS (one string, split as a shell would) and writes
# its standard output to OUTPUT. OUTPUT is replaced only when the program
# succeeds, so a failed build step leaves no half-written file behind for
# the next build to take as up to date.
#
# cmake -DPROGRAM=... -DARGUMENTS="completion bash" -DOUTPUT=... -P CaptureOutput.cmake
separate_arguments(args UNIX_COMMAND "${ARGUMENTS}")
execute_process(COMMAND "${PROGRAM}" ${args} OUTPUT_FILE "${OUTPUT}.tmp"
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  file(REMOVE "${OUTPUT}.tmp")
  message(FATAL_ERROR "${PROGRAM} ${ARGUMENTS} failed (${rc}): ${err}")
endif()
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
