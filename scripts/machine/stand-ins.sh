SOLERA_STAND_INS=""
make_stand_ins() { :; }
