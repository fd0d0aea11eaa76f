/** The statistics toolbox of the pure core, one file per textbook method. */
export * from './group-sequential';
export * from './hodges-lehmann';
export * from './kendall';
export * from './mann-whitney';
export * from './median-interval';
export * from './multiplicity';
export * from './normal';
export * from './quantiles';
