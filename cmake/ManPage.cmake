# Writes the man page OUTPUT (recsys.1) from the binary's own help texts:
# help2man formats `recsys --help`, and each command listed there gets a
# subsection of COMMANDS holding its `recsys COMMAND --help`, formatted by
# help2man too. The build runs this after linking recsys, so the page says
# what the binary it ships with says.
#
# cmake -DRECSYS=build/recsys -DHELP2MAN=/usr/bin/help2man -DOUTPUT=recsys.1 -P ManPage.cmake
foreach(required RECSYS HELP2MAN OUTPUT)
  if(NOT DEFINED ${required} OR "${${required}}" STREQUAL "")
    message(FATAL_ERROR "ManPage.cmake needs -D${required}=...")
  endif()
endforeach()

function(run_checked out_var)
  execute_process(COMMAND ${ARGN} OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    string(REPLACE ";" " " command "${ARGN}")
    message(FATAL_ERROR "${command} failed (${rc}): ${err}")
  endif()
  set(${out_var} "${out}" PARENT_SCOPE)
endfunction()

run_checked(help "${RECSYS}" --help)

# NAME: the program's one-line description, the first line of --help.
string(REGEX MATCH "^[^\n]*" summary "${help}")
string(REGEX REPLACE "^recsys: *" "" summary "${summary}")

# The commands are the lines "  NAME  description" of the Subcommands block;
# a description too long for its line continues on lines indented further.
string(FIND "${help}" "\nSubcommands:\n" at)
if(at EQUAL -1)
  message(FATAL_ERROR "${RECSYS} --help lists no Subcommands: the man page would miss them")
endif()
string(SUBSTRING "${help}" ${at} -1 block)
string(REGEX MATCHALL "\n  [a-z][a-z0-9_-]*" commands "${block}")

set(section "[COMMANDS]\nEach command's options, as \\fBrecsys \\fICOMMAND\\fB \\-\\-help\\fR shows them.\n")
foreach(entry IN LISTS commands)
  string(STRIP "${entry}" command)
  run_checked(page "${HELP2MAN}" --no-info "--help-option=${command} --help" "${RECSYS}")
  # Keep the synopsis ("recsys train [OPTIONS] ratings") and everything from
  # the description on; help2man's own NAME and title belong to a page of
  # their own.
  string(FIND "${page}" "\n.SH SYNOPSIS\n" synopsis_at)
  string(FIND "${page}" "\n.SH DESCRIPTION\n" description_at)
  if(synopsis_at EQUAL -1 OR description_at EQUAL -1)
    message(FATAL_ERROR "help2man's page of `recsys ${command} --help` has no SYNOPSIS or DESCRIPTION")
  endif()
  math(EXPR synopsis_begin "${synopsis_at} + 14")
  math(EXPR synopsis_length "${description_at} - ${synopsis_begin}")
  string(SUBSTRING "${page}" ${synopsis_begin} ${synopsis_length} synopsis)
  math(EXPR body_begin "${description_at} + 17")
  string(SUBSTRING "${page}" ${body_begin} -1 body)
  # Inside a subsection, help2man's headings become bold lines: roff has
  # only two levels of heading, and COMMANDS and the command hold both.
  string(REPLACE "\n.SH OPTIONS\n" "\n.PP\n\\fBOptions:\\fR\n" body "\n${body}")
  string(REGEX REPLACE "\n\\.S[HS] \"?([^\"\n]*)\"?\n" "\n.PP\n\\\\fB\\1\\\\fR\n" body "${body}")
  string(APPEND section ".SS \"recsys ${command}\"\n${synopsis}\n.PP${body}")
endforeach()

get_filename_component(work_dir "${OUTPUT}" DIRECTORY)
set(include_file "${work_dir}/recsys.h2m")
file(WRITE "${include_file}" "${section}")
run_checked(ignored "${HELP2MAN}" --no-info "--name=${summary}" "--include=${include_file}"
            "--output=${OUTPUT}.tmp" "${RECSYS}")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
