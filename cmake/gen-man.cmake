# gen-man.cmake - writes the man page dnp3(1) from the dnp3 command's own help text.
#
#   cmake -DDNP3=path/to/dnp3 -DOUT=dnp3.1 -DVERSION=x.y.z -P gen-man.cmake
#
# The page is made of the output of `dnp3 --help`, `dnp3 help <command>` for every
# command listed there, and `dnp3 <command> <sub> --help` for every subcommand whose
# help those texts point to ("see dnp3 master file --help"), so the man page and the
# command's help cannot disagree (tests/release/check_install.sh checks the installed
# page against the binary).
execute_process(COMMAND ${DNP3} --help OUTPUT_VARIABLE usage RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "gen-man: ${DNP3} --help failed (${rc})")
endif()

# roff: a backslash is \e, and a line starting with . or ' needs \& in front.
function(roff_escape in out)
  string(REPLACE "\\" "\\e" t "${in}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" t "${t}")
  set(${out} "${t}" PARENT_SCOPE)
endfunction()

string(REGEX MATCHALL "\n  [a-z]+ " cmdlines "${usage}")
set(page ".TH DNP3 1 \"\" \"libdnp3 ${VERSION}\" \"User Commands\"\n")
string(APPEND page ".SH NAME\ndnp3 \\- decode, serve, poll and scan DNP3 (IEEE 1815)\n")
string(APPEND page ".SH SYNOPSIS\n.B dnp3\n.I command\n[\n.I options\n]\n")
roff_escape("${usage}" u)
string(APPEND page ".SH DESCRIPTION\n.nf\n${u}.fi\n")
string(APPEND page ".SH COMMANDS\n")
foreach(line ${cmdlines})
  string(STRIP "${line}" cmd)
  execute_process(COMMAND ${DNP3} help ${cmd} OUTPUT_VARIABLE help RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "gen-man: ${DNP3} help ${cmd} failed (${rc})")
  endif()
  roff_escape("${help}" h)
  string(APPEND page ".SS dnp3 ${cmd}\n.nf\n${h}.fi\n")
  string(REGEX MATCHALL "dnp3 ${cmd} [a-z]+ --help" subs "${help}")
  list(REMOVE_DUPLICATES subs)
  foreach(ref ${subs})
    string(REGEX REPLACE "^dnp3 ${cmd} ([a-z]+) --help$" "\\1" sub "${ref}")
    execute_process(COMMAND ${DNP3} ${cmd} ${sub} --help OUTPUT_VARIABLE subhelp RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "gen-man: ${DNP3} ${cmd} ${sub} --help failed (${rc})")
    endif()
    roff_escape("${subhelp}" s)
    string(APPEND page ".SS dnp3 ${cmd} ${sub}\n.nf\n${s}.fi\n")
  endforeach()
endforeach()
string(APPEND page ".SH EXIT STATUS\n0 on success, 1 when the operation failed (no answer, a refused command, a decode error), 2 for a usage or configuration error.\n")
string(APPEND page ".SH SEE ALSO\nThe documentation in /usr/share/doc/libdnp3-tools and docs/ of the source tree.\n")
file(WRITE ${OUT} "${page}")
