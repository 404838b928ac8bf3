# A run's hours: the grid's carbon intensity and price, and the load under run-now (the baseline)
# against the load the policy shifted; two panels per region.
# ccsim supplies: terminal and output, nregions, title_text, currency, regionN names, priceN (0 when
# region N has no price; 1 if not given), and one $data
# block with a data set per region (index 0, 1, ...), columns: hour (Unix seconds, UTC),
# intensity (gCO2e/kWh), price (currency/MWh; '?' when the region has none), baseline energy and
# shifted energy (kWh from the grid in the hour).
# The names are text, never code: string variables, quoted by ccsim (ccs_gp_quote); never eval,
# @macros or system() on them. A limit: the titles stay enhanced (noenhanced would change the SVG's
# markup), so a '_' or '^' in a name shows as a subscript or superscript.
set multiplot layout 2 * nregions, 1 title title_text font ',12'
set xdata time
set timefmt '%s'
# the year on the axis: a trace of another year must not read as this one
set format x "%Y-%m-%d\n%H:%M"
set grid xtics ytics
set key top left opaque box
set datafile missing '?'
do for [i=1:nregions] {
    set title value(sprintf('region%d', i)).': grid signals'
    set xlabel ''
    set ylabel 'carbon intensity (gCO2e/kWh)'
    set yrange [0:*]
    # priceN = 0: the region has no price (rented devices pay none); a flat 0 would read as one
    have_price = exists(sprintf('price%d', i)) ? value(sprintf('price%d', i)) : 1
    if (have_price) {
        set y2label sprintf('price (%s/MWh)', currency)
        set ytics nomirror
        set y2tics
        set y2range [*:*]
        plot $data index (i - 1) using 1:2 with steps lw 2 lc rgb '#1b7837' title 'intensity', \
             '' index (i - 1) using 1:3 axes x1y2 with steps lw 1.5 lc rgb '#762a83' title 'price'
    } else {
        unset y2label
        unset y2tics
        set ytics mirror
        plot $data index (i - 1) using 1:2 with steps lw 2 lc rgb '#1b7837' title 'intensity (no price)'
    }
    set title value(sprintf('region%d', i)).': load'
    set xlabel 'time (UTC)'
    set ylabel 'energy (kWh per hour)'
    unset y2label
    unset y2tics
    set ytics mirror
    plot $data index (i - 1) using 1:4 with steps lw 2 lc rgb '#878787' title 'run-now (baseline)', \
         '' index (i - 1) using 1:5 with steps lw 2 lc rgb '#d6604d' title 'shifted (policy)'
}
unset multiplot
