# cmake -DWISENET=bin/wisenet -DWISENET_ONNX=bin/wisenet-onnx -DFIXTURE=dir -DWORK=dir -P ...:
# wisenet-onnx (no libtorch) and `wisenet predict --onnx` on deploy_notorch_fixture's export
# folder and images must write the same bytes: results.json, counts.csv, objects.csv, the label
# images and the overlays. Two runs: the image folder in embedding mode, and a COCO JSON of the
# same images in best-dice mode, each program computing its own proposal cache.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})

# A COCO JSON of the fixture's images (sizes from its reference.json), ids not in file order.
file(READ ${FIXTURE}/reference.json reference)
string(JSON count LENGTH "${reference}" images)
math(EXPR last "${count} - 1")
set(images "")
foreach(i RANGE ${last})
  string(JSON file GET "${reference}" images ${i} file)
  string(JSON height GET "${reference}" images ${i} height)
  string(JSON width GET "${reference}" images ${i} width)
  math(EXPR id "30 - ${i}")
  list(APPEND images
       "{\"id\": ${id}, \"file_name\": \"${file}\", \"width\": ${width}, \"height\": ${height}}")
endforeach()
list(JOIN images ", " images)
file(WRITE ${WORK}/images.json "{\"images\": [${images}], \"categories\": [{\"id\": 5, \"name\": \"a\"}, {\"id\": 9, \"name\": \"b\"}], \"annotations\": []}\n")

# run_both(NAME WITH_PROPOSALS args...): both programs with ARGS, then their outputs compared.
function(run_both name with_proposals)
  set(out_torch ${WORK}/${name}-wisenet)
  set(out_onnx ${WORK}/${name}-wisenet-onnx)
  set(proposals_torch "")
  set(proposals_onnx "")
  if(with_proposals)
    set(proposals_torch --proposals ${out_torch}-proposals)
    set(proposals_onnx --proposals ${out_onnx}-proposals)
  endif()
  execute_process(COMMAND ${WISENET} predict --onnx ${FIXTURE}/onnx --out ${out_torch} ${ARGN}
                          ${proposals_torch}
                  RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${name}: wisenet predict --onnx failed (${rc}): ${err}")
  endif()
  execute_process(COMMAND ${WISENET_ONNX} predict --onnx ${FIXTURE}/onnx --out ${out_onnx} ${ARGN}
                          ${proposals_onnx}
                  RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${name}: wisenet-onnx predict failed (${rc}): ${err}")
  endif()
  # Something to compare: every image has objects (the fixture's L-Net finds several blobs).
  file(STRINGS ${out_onnx}/objects.csv rows)
  list(LENGTH rows n)
  if(n LESS 7)
    message(FATAL_ERROR "${name}: objects.csv has ${n} lines; the fixture should give more")
  endif()
  file(GLOB pngs RELATIVE ${out_torch} ${out_torch}/labels/*.png ${out_torch}/overlays/*.png)
  list(LENGTH pngs n_png)
  math(EXPR expected_png "2 * ${count}")
  if(NOT n_png EQUAL expected_png)
    message(FATAL_ERROR "${name}: ${n_png} label images and overlays, expected 2 x ${count}")
  endif()
  foreach(f results.json counts.csv objects.csv ${pngs})
    execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${out_torch}/${f} ${out_onnx}/${f}
                    RESULT_VARIABLE differ)
    if(NOT differ EQUAL 0)
      message(FATAL_ERROR "${name}: ${f} differs between ${out_torch} and ${out_onnx}")
    endif()
  endforeach()
  message("${name}: results.json, counts.csv, objects.csv and ${n_png} images identical "
          "(${n} lines in objects.csv)")
endfunction()

run_both(folder OFF --images ${FIXTURE} --mode embedding --overlays --label-images --threads 2
         --quiet)
run_both(json ON --images ${WORK}/images.json --image-dir ${FIXTURE} --mode best-dice --overlays
         --label-images --threads 2 --quiet)
