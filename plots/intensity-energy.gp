# Carbon intensity and grid energy per hour, one panel per region.
# ccsim supplies: terminal and output, nregions, scenario, regionN names and one $data block
# with a data set per region (index 0, 1, ...), columns: hour (Unix seconds, UTC),
# intensity (gCO2e/kWh), energy (kWh from the grid).
# The names are text, never markup or code: they are set as string variables (quoted by ccsim) and
# shown noenhanced, so that '_' or '^' in a name is not read as a subscript or superscript.
set multiplot layout nregions, 1 title scenario font ',12' noenhanced
set xdata time
set timefmt '%s'
# the year on the axis: a trace of another year must not read as this one
set format x "%Y-%m-%d\n%H:%M"
set xlabel 'time (UTC)'
set ylabel 'carbon intensity (gCO2e/kWh)'
set y2label 'energy (kWh per hour)'
set ytics nomirror
set y2tics
set grid xtics ytics
set key top left opaque box
set yrange [0:*]
set y2range [0:*]
do for [i=1:nregions] {
    set title value(sprintf('region%d', i)) noenhanced
    plot $data index (i - 1) using 1:2 with steps lw 2 lc rgb '#1b7837' title 'intensity', \
         '' index (i - 1) using 1:3 axes x1y2 with steps lw 2 lc rgb '#2166ac' title 'energy'
}
unset multiplot
