"""One module per track; TRACK_TYPES lists them in their default order."""

from gui.timeline.tracks.activity import ActivityTrack
from gui.timeline.tracks.cytokines import CytokinesTrack
from gui.timeline.tracks.episodes import EpisodesTrack
from gui.timeline.tracks.markers import MarkersTrack
from gui.timeline.tracks.pga import PgaTrack
from gui.timeline.tracks.stimulation import StimulationTrack
from gui.timeline.tracks.symptoms import SymptomsTrack
from gui.timeline.tracks.temperature import TemperatureTrack
from gui.timeline.tracks.treatment import TreatmentTrack

TRACK_TYPES = (
    EpisodesTrack,
    SymptomsTrack,
    ActivityTrack,
    TreatmentTrack,
    CytokinesTrack,
    StimulationTrack,
    MarkersTrack,
    PgaTrack,
    TemperatureTrack,
)
TRACKS_BY_KEY = {t.key: t for t in TRACK_TYPES}
